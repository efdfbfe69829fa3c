/*
 * gradlab's bridge to a system BLAS (OpenBLAS from Debian's libopenblas-dev): float32 matrix
 * products on the Wasm heap's memory, for Node. Wasm SIMD is 128 bits wide; a BLAS built for the
 * machine uses its full vector width (256 or 512 bits), which doubles a training step's matmuls.
 * The library loads this only where it was built (scripts/build-native.mjs) and falls back to its
 * Wasm kernels otherwise.
 *
 * sgemm(memory, a, rsa, csa, b, rsb, csb, c, m, n, k, ldc, accumulate) -> boolean
 *   memory: a typed array over the whole heap; a, b, c: byte offsets into it;
 *   strides in elements; C[m×n] (= or +=) A[m×k] · B[k×n]. Returns false, computing nothing,
 *   for a layout BLAS cannot take (neither row- nor column-contiguous) or operands outside memory.
 */
#include <cblas.h>
#include <node_api.h>
#include <stdint.h>

extern void openblas_set_num_threads(int);

static napi_value boolean(napi_env env, int value) {
  napi_value r;
  napi_get_boolean(env, value, &r);
  return r;
}

/* The byte just past the last element of a rows×cols matrix at `at` with these strides. */
static int64_t end_of(int64_t at, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  return at + ((rows - 1) * rs + (cols - 1) * cs + 1) * 4;
}

/* A matrix BLAS can read: contiguous along one axis. Sets its transpose flag and leading dimension
   (rows and cols are positive: sgemm checks them first). */
static int layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, enum CBLAS_TRANSPOSE *t, int64_t *ld) {
  if (cs == 1 && (rs >= cols || rows == 1)) {
    *t = CblasNoTrans;
    *ld = rows == 1 ? cols : rs;
    return 1;
  }
  if (rs == 1 && (cs >= rows || cols == 1)) {
    *t = CblasTrans;
    *ld = cols == 1 ? rows : cs;
    return 1;
  }
  return 0;
}

static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value args[13];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc != 13) return boolean(env, 0);
  void *data;
  size_t length;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, args[0], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_uint8_array) return boolean(env, 0);
  int64_t v[12];
  for (int i = 0; i < 12; i++) {
    if (napi_get_value_int64(env, args[i + 1], &v[i]) != napi_ok) return boolean(env, 0);
  }
  int64_t a = v[0], rsa = v[1], csa = v[2], b = v[3], rsb = v[4], csb = v[5], c = v[6];
  int64_t m = v[7], n = v[8], k = v[9], ldc = v[10], accumulate = v[11];
  if (m <= 0 || n <= 0 || k <= 0 || ldc < n || a < 0 || b < 0 || c < 0 || rsa < 0 || csa < 0 || rsb < 0 || csb < 0) return boolean(env, 0);
  if ((a | b | c) & 3) return boolean(env, 0);
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX || ldc > INT32_MAX) return boolean(env, 0);
  int64_t len = (int64_t)length;
  if (end_of(a, m, k, rsa, csa) > len || end_of(b, k, n, rsb, csb) > len || end_of(c, m, n, ldc, 1) > len) return boolean(env, 0);
  enum CBLAS_TRANSPOSE ta, tb;
  int64_t lda, ldb;
  if (!layout(m, k, rsa, csa, &ta, &lda) || !layout(k, n, rsb, csb, &tb, &ldb)) return boolean(env, 0);
  if (lda > INT32_MAX || ldb > INT32_MAX) return boolean(env, 0);
  char *base = (char *)data;
  cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, (const float *)(base + a), (int)lda,
              (const float *)(base + b), (int)ldb, accumulate ? 1.0f : 0.0f, (float *)(base + c), (int)ldc);
  return boolean(env, 1);
}

NAPI_MODULE_INIT() {
  /* One thread: OpenBLAS's own pool would spin beside the kernel's and its helper threads. */
  openblas_set_num_threads(1);
  napi_value fn;
  napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, sgemm, NULL, &fn);
  napi_set_named_property(env, exports, "sgemm", fn);
  return exports;
}
