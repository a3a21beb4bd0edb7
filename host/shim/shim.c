/* Variadic entry points of the OFX parameter and message suites.
 *
 * Stable Rust cannot define C-variadic functions, so these few live here. Each one asks Rust what
 * the handle is (type and dimension), reads its va_list accordingly and forwards plain pointers and
 * values to the non-variadic Rust functions named doppel_rs_*. No state is kept in C.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef int OfxStatus;

#define kOfxStatFailed 1
#define kOfxStatErrBadHandle 9
#define kOfxStatErrMemory 8

/* Kinds answered by doppel_rs_param_kind. */
#define KIND_BAD 0
#define KIND_INT 1
#define KIND_DOUBLE 2
#define KIND_STRING 3
#define KIND_NONE 4

#define MAX_DIM 4

extern int doppel_rs_param_kind(void *param, int *dimension, const char *function);
extern OfxStatus doppel_rs_param_get(void *param, int with_time, double time, void **out, int n);
extern OfxStatus doppel_rs_param_set_ints(void *param, int with_time, double time, const int *v, int n);
extern OfxStatus doppel_rs_param_set_doubles(void *param, int with_time, double time, const double *v,
                                             int n);
extern OfxStatus doppel_rs_param_set_string(void *param, int with_time, double time, const char *v);
extern OfxStatus doppel_rs_param_derivative(void *param, double time, double *out, int n);
extern OfxStatus doppel_rs_param_integral(void *param, double t1, double t2, double *out, int n);
extern OfxStatus doppel_rs_message(void *handle, const char *type, const char *id, const char *text,
                                   int persistent);

static OfxStatus get_value(void *param, int with_time, double time, va_list ap, const char *fn) {
    int dim = 0;
    int kind = doppel_rs_param_kind(param, &dim, fn);
    void *out[MAX_DIM] = {0};
    if (kind == KIND_BAD) return kOfxStatErrBadHandle;
    if (kind == KIND_NONE) return kOfxStatErrBadHandle;
    if (dim < 1 || dim > MAX_DIM) return kOfxStatErrBadHandle;
    for (int i = 0; i < dim; ++i) {
        switch (kind) {
        case KIND_INT: out[i] = (void *)va_arg(ap, int *); break;
        case KIND_DOUBLE: out[i] = (void *)va_arg(ap, double *); break;
        default: out[i] = (void *)va_arg(ap, char **); break;
        }
    }
    return doppel_rs_param_get(param, with_time, time, out, dim);
}

static OfxStatus set_value(void *param, int with_time, double time, va_list ap, const char *fn) {
    int dim = 0;
    int kind = doppel_rs_param_kind(param, &dim, fn);
    if (kind == KIND_BAD || kind == KIND_NONE) return kOfxStatErrBadHandle;
    if (dim < 1 || dim > MAX_DIM) return kOfxStatErrBadHandle;
    if (kind == KIND_INT) {
        int v[MAX_DIM] = {0};
        for (int i = 0; i < dim; ++i) v[i] = va_arg(ap, int);
        return doppel_rs_param_set_ints(param, with_time, time, v, dim);
    }
    if (kind == KIND_DOUBLE) {
        double v[MAX_DIM] = {0};
        for (int i = 0; i < dim; ++i) v[i] = va_arg(ap, double);
        return doppel_rs_param_set_doubles(param, with_time, time, v, dim);
    }
    return doppel_rs_param_set_string(param, with_time, time, va_arg(ap, const char *));
}

static OfxStatus double_out(void *param, va_list ap, double **out, int *dim, const char *fn) {
    int kind = doppel_rs_param_kind(param, dim, fn);
    if (kind != KIND_DOUBLE || *dim < 1 || *dim > MAX_DIM) return kOfxStatErrBadHandle;
    for (int i = 0; i < *dim; ++i) out[i] = va_arg(ap, double *);
    return 0;
}

OfxStatus doppel_param_get_value(void *param, ...) {
    va_list ap;
    va_start(ap, param);
    OfxStatus st = get_value(param, 0, 0.0, ap, "paramGetValue");
    va_end(ap);
    return st;
}

OfxStatus doppel_param_get_value_at_time(void *param, double time, ...) {
    va_list ap;
    va_start(ap, time);
    OfxStatus st = get_value(param, 1, time, ap, "paramGetValueAtTime");
    va_end(ap);
    return st;
}

OfxStatus doppel_param_set_value(void *param, ...) {
    va_list ap;
    va_start(ap, param);
    OfxStatus st = set_value(param, 0, 0.0, ap, "paramSetValue");
    va_end(ap);
    return st;
}

OfxStatus doppel_param_set_value_at_time(void *param, double time, ...) {
    va_list ap;
    va_start(ap, time);
    OfxStatus st = set_value(param, 1, time, ap, "paramSetValueAtTime");
    va_end(ap);
    return st;
}

OfxStatus doppel_param_get_derivative(void *param, double time, ...) {
    double *out[MAX_DIM] = {0};
    int dim = 0;
    va_list ap;
    va_start(ap, time);
    OfxStatus st = double_out(param, ap, out, &dim, "paramGetDerivative");
    va_end(ap);
    if (st != 0) return st;
    double v[MAX_DIM] = {0};
    st = doppel_rs_param_derivative(param, time, v, dim);
    if (st == 0)
        for (int i = 0; i < dim; ++i)
            if (out[i]) *out[i] = v[i];
    return st;
}

OfxStatus doppel_param_get_integral(void *param, double t1, double t2, ...) {
    double *out[MAX_DIM] = {0};
    int dim = 0;
    va_list ap;
    va_start(ap, t2);
    OfxStatus st = double_out(param, ap, out, &dim, "paramGetIntegral");
    va_end(ap);
    if (st != 0) return st;
    double v[MAX_DIM] = {0};
    st = doppel_rs_param_integral(param, t1, t2, v, dim);
    if (st == 0)
        for (int i = 0; i < dim; ++i)
            if (out[i]) *out[i] = v[i];
    return st;
}

/* Formats printf-style arguments into a malloc'd string (NULL on failure). */
static char *format(const char *fmt, va_list ap) {
    if (!fmt) return NULL;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return NULL;
    char *buf = (char *)malloc((size_t)n + 1);
    if (!buf) return NULL;
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    return buf;
}

static OfxStatus post(void *handle, const char *type, const char *id, const char *fmt, va_list ap,
                      int persistent) {
    char *text = format(fmt, ap);
    OfxStatus st = doppel_rs_message(handle, type, id, text ? text : "", persistent);
    free(text);
    return st;
}

OfxStatus doppel_message(void *handle, const char *type, const char *id, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    OfxStatus st = post(handle, type, id, fmt, ap, 0);
    va_end(ap);
    return st;
}

OfxStatus doppel_set_persistent_message(void *handle, const char *type, const char *id,
                                        const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    OfxStatus st = post(handle, type, id, fmt, ap, 1);
    va_end(ap);
    return st;
}
