// `npm start` until the kernel and its `gradlab lab` command land: say what exists and what is coming.
console.log(`gradlab: the tensor + autograd library is ready; the Jupyter kernel is not yet.

  Try the library now:   node --input-type=module -e 'import { tensor } from "gradlab"; console.log(tensor([1, 2]).mul(3).toString())'
  Run the tests:         npm test

When the kernel lands, \`npm start\` will open JupyterLab on the lessons in notebooks/ with the gradlab kernel.`);
