/*
 * fuzz_glob.c - libFuzzer target for pg_glob_match.
 *
 * Input: one flags byte (bit 0: fold), then pattern and string separated
 * by the first 0x00 byte (no separator: the string is empty). Short inputs
 * are also checked against a plain recursive reference matcher, which is
 * too slow for long inputs but obviously follows pg_rules.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg_core.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int ref_match(const char *p, const char *pe, const char *s, const char *se, int fold)
{
    if (p == pe) {
        return s == se;
    }
    if (*p == '*') {
        const char *q = p;
        int dbl;
        while (q != pe && *q == '*') {
            q++;
        }
        dbl = (q - p) >= 2;
        for (;; s++) {
            if (ref_match(q, pe, s, se, fold)) {
                return 1;
            }
            if (s == se || (!dbl && *s == '/')) {
                return 0;
            }
        }
    }
    if (s == se) {
        return 0;
    }
    if (*p == '?' ? *s != '/'
                  : (fold ? lower((unsigned char)*p) == lower((unsigned char)*s) : *p == *s)) {
        return ref_match(p + 1, pe, s + 1, se, fold);
    }
    return 0;
}

static size_t count_stars(const char *p, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        k += p[i] == '*';
    }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep;
    char *pat, *str;
    size_t pat_len, str_len;
    int fold, got;

    if (size < 1) {
        return 0;
    }
    fold = data[0] & 1;
    data++;
    size--;
    sep = (const uint8_t *)memchr(data, 0, size);
    pat_len = sep != NULL ? (size_t)(sep - data) : size;
    str_len = sep != NULL ? size - pat_len - 1 : 0;

    /* Exact-size heap copies: ASan flags any read past either end. */
    pat = (char *)malloc(pat_len ? pat_len : 1);
    str = (char *)malloc(str_len ? str_len : 1);
    CHECK(pat != NULL && str != NULL);
    memcpy(pat, data, pat_len);
    if (str_len != 0) {
        memcpy(str, sep + 1, str_len);
    }

    got = pg_glob_match(pat, pat_len, str, str_len, fold);
    CHECK(got == 0 || got == 1);
    /* A pattern always matches itself when it has no wildcards. */
    if (memchr(pat, '*', pat_len) == NULL && memchr(pat, '?', pat_len) == NULL) {
        CHECK(pg_glob_match(pat, pat_len, pat, pat_len, fold) == 1);
    }
    /* The reference is exponential in stars; keep it to small cases. */
    if (pat_len <= 24 && str_len <= 24 && count_stars(pat, pat_len) <= 6) {
        CHECK(got == ref_match(pat, pat + pat_len, str, str + str_len, fold));
    }
    free(pat);
    free(str);
    return 0;
}
