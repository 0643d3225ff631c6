/* core/tls_mem.h: OpenSSL's heap. A TLS 1.3 handshake makes about 720 allocations inside
 * OpenSSL (callgrind, a resumed one) and frees them again within the same loop turn. In a
 * multi-threaded process glibc's malloc keeps only 7 freed blocks per size for a thread and
 * takes its arena lock for every other one; perf put 8% of a worker's handshake time in
 * malloc and free. Here each thread keeps its own lists of freed blocks by size class,
 * bounded per class, so one handshake's allocations come from the previous one's frees
 * without a lock. Blocks are still glibc's (one malloc per block, no slabs), so a block
 * freed by another thread, or one over the largest class, is simply taken or given back.
 *
 * Under AddressSanitizer a cached block is poisoned while it waits, and the rounding slack
 * of a live one too, so a use after free or an overrun inside OpenSSL's use of jiyue's
 * objects is still reported. */
#ifndef JIYUE_TLS_MEM_H
#define JIYUE_TLS_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Makes OpenSSL allocate through this file. Must run before anything calls OpenSSL (the
 * first line of main()): OpenSSL refuses a change once it has allocated. Returns false if
 * it refused; OpenSSL then keeps glibc's malloc, which is correct, only slower. */
bool tls_mem_install(void);

/* The allocator itself, as installed (exposed for the unit test). A size of 0 gives NULL,
 * as OpenSSL's own CRYPTO_malloc does; tls_mem_realloc(p, 0) frees p and gives NULL. */
void *tls_mem_malloc(size_t n, const char *file, int line);
void *tls_mem_realloc(void *p, size_t n, const char *file, int line);
void tls_mem_free(void *p, const char *file, int line);

/* What the calling thread holds in its lists: blocks and their bytes (class sizes). */
typedef struct tls_mem_stats {
    size_t blocks, bytes;
} tls_mem_stats_t;
tls_mem_stats_t tls_mem_thread_stats(void);

/* Gives every block the calling thread holds back to glibc (also done when a thread ends). */
void tls_mem_thread_drain(void);

/* The usable size of a block from tls_mem_malloc (its class size, or what was asked for
 * above the largest class). */
size_t tls_mem_usable(const void *p);

#endif
