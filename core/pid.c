/* core/pid.c: getpid() without a system call. OpenSSL's random generator asks for the process
 * id on every call, to notice a fork and reseed: four to six times per TLS handshake, each a
 * system call (about 1 µs on this virtual machine). This getpid, linked into the jiyue
 * binary, takes the place of the C library's for every caller in the process and answers
 * from a value kept on a page the kernel wipes in a forked child (MADV_WIPEONFORK), so a
 * child, however it was forked, asks the kernel again and never sees its parent's id. */
#include "pid.h"

#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* NULL before pid_cache_init(), or on a kernel without MADV_WIPEONFORK (before Linux 4.14):
 * then every call is the system call, as before. */
static _Atomic(pid_t) *pid_page;

void pid_cache_init(void)
{
    if (pid_page)
        return;
    long size = sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    if (madvise(p, (size_t)size, MADV_WIPEONFORK) != 0) {
        munmap(p, (size_t)size);
        return;
    }
    pid_page = p;
}

pid_t getpid(void)
{
    pid_t pid = pid_page ? atomic_load_explicit(pid_page, memory_order_relaxed) : 0;
    if (pid)
        return pid;
    pid = (pid_t)syscall(SYS_getpid);
    if (pid_page)
        atomic_store_explicit(pid_page, pid, memory_order_relaxed);
    return pid;
}
