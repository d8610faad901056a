// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-exeforge EXE FILE: make EXE this process's executable without running
 * it (prctl(PR_SET_MM, PR_SET_MM_EXE_FILE), which needs CAP_SYS_RESOURCE),
 * then read FILE. Prints what /proc/self/exe names after the change, a
 * newline, and FILE's first 4 KiB if it could be read. Exit status: 0 when
 * FILE was read, the errno of the open or read that failed (13: EACCES), or
 * 100 + the errno of the change itself.
 *
 * The kernel refuses the change while the old executable is still mapped,
 * so the part that makes it runs from an anonymous copy, after unmapping
 * this program's image. That part (forge_stage2()) therefore touches nothing
 * of the image: no global, no string literal, no library call, only its
 * argument block, the stack and system calls. The program is built static,
 * without the C library (tests/tests.mk).
 */
#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/prctl.h>

#define FORGE_CODE_MAX	4096
#define FORGE_BUF	4096
#define FORGE_PATH	512

/* The argument block, in the anonymous copy after the code. */
struct forge_args {
	long exe_fd;
	unsigned long image_start;
	unsigned long image_len;
	char file[FORGE_PATH];
	char self_exe[16];
	char link[FORGE_PATH];
	char newline;
	char buf[FORGE_BUF];
};

static inline __attribute__((always_inline))
long forge_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = e;
	register long r9 asm("r9") = f;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a), "S" (b), "d" (c), "r" (r10), "r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline __attribute__((always_inline, noreturn)) void forge_exit(long status)
{
	for (;;)
		forge_syscall(__NR_exit_group, status, 0, 0, 0, 0, 0);
}

/* Runs from the anonymous copy: see the top comment. */
__attribute__((noinline, noreturn, section(".text.forge")))
void forge_stage2(struct forge_args *a)
{
	long ret, fd;

	forge_syscall(__NR_munmap, a->image_start, a->image_len, 0, 0, 0, 0);
	ret = forge_syscall(__NR_prctl, PR_SET_MM, PR_SET_MM_EXE_FILE, a->exe_fd, 0, 0, 0);
	if (ret < 0)
		forge_exit(100 - ret);
	ret = forge_syscall(__NR_readlink, (long)a->self_exe, (long)a->link, FORGE_PATH - 1,
			    0, 0, 0);
	if (ret > 0)
		forge_syscall(__NR_write, 1, (long)a->link, ret, 0, 0, 0);
	forge_syscall(__NR_write, 1, (long)&a->newline, 1, 0, 0, 0);
	fd = forge_syscall(__NR_open, (long)a->file, O_RDONLY, 0, 0, 0, 0);
	if (fd < 0)
		forge_exit(-fd);
	ret = forge_syscall(__NR_read, fd, (long)a->buf, FORGE_BUF, 0, 0, 0);
	if (ret < 0)
		forge_exit(-ret);
	forge_syscall(__NR_write, 1, (long)a->buf, ret, 0, 0, 0);
	forge_exit(0);
}

/* Marks the end of forge_stage2() (the same section, in source order). */
__attribute__((noinline, section(".text.forge")))
void forge_stage2_end(void)
{
}

static void forge_copy(char *dst, const char *src, unsigned long len)
{
	while (len--)
		*dst++ = *src++;
}

static unsigned long forge_strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

extern char __executable_start[], _end[];

static __attribute__((noreturn, used)) void forge_main(long *sp)
{
	char **argv = (char **)(sp + 1);
	unsigned long code_len = (char *)forge_stage2_end - (char *)forge_stage2;
	unsigned long page = 4096, start, end;
	struct forge_args *a;
	char *map;
	long fd;

	if (sp[0] != 3 || forge_strlen(argv[2]) >= FORGE_PATH)
		forge_exit(64);
	if (!code_len || code_len > FORGE_CODE_MAX)
		forge_exit(65);
	fd = forge_syscall(__NR_open, (long)argv[1], O_RDONLY, 0, 0, 0, 0);
	if (fd < 0)
		forge_exit(66);
	map = (char *)forge_syscall(__NR_mmap, 0, FORGE_CODE_MAX + sizeof(*a),
				    PROT_READ | PROT_WRITE | PROT_EXEC,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)map > -4096UL)
		forge_exit(67);
	forge_copy(map, (const char *)forge_stage2, code_len);
	a = (struct forge_args *)(map + FORGE_CODE_MAX);
	a->exe_fd = fd;
	start = (unsigned long)__executable_start & ~(page - 1);
	end = ((unsigned long)_end + page - 1) & ~(page - 1);
	a->image_start = start;
	a->image_len = end - start;
	forge_copy(a->file, argv[2], forge_strlen(argv[2]) + 1);
	forge_copy(a->self_exe, "/proc/self/exe", sizeof("/proc/self/exe"));
	a->newline = '\n';
	((void (*)(struct forge_args *))map)(a);
	forge_exit(68);
}

/* The entry point: the kernel leaves argc, then argv, at the stack pointer. */
__attribute__((naked, noreturn)) void _start(void)
{
	asm("mov %rsp, %rdi\n\t"
	    "and $-16, %rsp\n\t"
	    "call forge_main\n\t"
	    "hlt");
}
