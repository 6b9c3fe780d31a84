/*
 * pg_core_kernel.h - the C library subset the portable core expects, in
 * kernel mode.
 *
 * Module description:
 *   driver/core compiles unchanged into procguard.sys with PG_KERNEL_MODE
 *   defined; it then includes neither <stdint.h> nor <string.h> itself.
 *   The build force-includes this header into every core file (and
 *   pg_compat.h includes it), so fixed-width types and the three memory
 *   routines come from here. ntoskrnl.exe exports memcpy, memset and
 *   memcmp, so the calls resolve to the kernel's own copies.
 *
 * What it must not do:
 *   Pull in user-mode headers that declare CRT functions the kernel does
 *   not export; <stddef.h> and <stdint.h> are compiler-provided typedefs.
 */
#ifndef PG_CORE_KERNEL_H
#define PG_CORE_KERNEL_H

#ifndef PG_KERNEL_MODE
#error "pg_core_kernel.h is for kernel-mode builds (define PG_KERNEL_MODE)"
#endif

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* PG_CORE_KERNEL_H */
