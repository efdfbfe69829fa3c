"""The official Jupyter kernel conformance suite (Debian python3-jupyter-kernel-test) run
against gradlab with samples of our own; every test of the suite is enabled.

Run by test/kernel/conformance.test.ts, which installs the kernelspec into a temporary prefix
and points JUPYTER_PATH at it.
"""

import unittest

import jupyter_kernel_test


class GradlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gradlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "const s = 'x'; s.toUpperC", "matches": {"toUpperCase"}},
        # gradlab's preloaded library is completed like any other name.
        {"text": "zeros", "matches": {"zeros", "zerosLike"}},
    ]

    complete_code_samples = ["1", "const x = 1;", "function f(a: number) { return a; }", "console.log('a')"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "console.log(", "/* a comment"]
    invalid_code_samples = ["const 1x = 2;", "}", "let = ;"]

    code_page_something = "Math.max?"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "1+2+3", "result": "6"},
        {"code": "[1, 2].map((x) => x * 2)", "result": "[ 2, 4 ]"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "zeros([2]).shape", "result": "[ 2 ]"},
    ]

    code_display_data = [
        {"code": 'display({ [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>hi</b>" }) })', "mime": "text/html"},
        {"code": "display(tensor([1, 2]))", "mime": "text/plain"},
    ]

    code_history_pattern = "1+2*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "zeros"

    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main(verbosity=2)
