/* bench_run.c - fcat-bench-run: runs a command and reports its wall time,
 * CPU time and peak RSS (wait4), so the benchmark scripts need no GNU time.
 *
 * fcat-bench-run [-o FILE] [--] COMMAND [ARG]...
 *
 * The command's output goes where this program's goes. When it ends, one line
 * is written to FILE (default: standard error):
 *   RUN wall_s=12.345 user_s=11.2 sys_s=0.9 maxrss_kb=123456 read_mib=0.0
 *       write_mib=812.5 exit=0
 * (read/write: what the file systems read from and wrote to their devices
 * for it, from ru_inblock/ru_oublock); exit is the command's exit code, or
 * 128+N when signal N ended it; this program exits with the same code (127
 * when the command cannot be run).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "-o")) {
		out_path = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: fcat-bench-run [-o FILE] [--] COMMAND [ARG]...\n");
		return 2;
	}
	FILE *out = stderr;
	if (out_path && !(out = fopen(out_path, "w"))) {
		fprintf(stderr, "fcat-bench-run: cannot open %s: %s\n", out_path, strerror(errno));
		return 2;
	}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fcat-bench-run: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "fcat-bench-run: cannot run %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	/* A signal aimed at the pair (Ctrl-C) reaches the child; wait for it. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	int status;
	struct rusage ru;
	pid_t got;
	while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (got != pid) {
		fprintf(stderr, "fcat-bench-run: wait4: %s\n", strerror(errno));
		return 127;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(out,
	        "RUN wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kb=%ld read_mib=%.1f "
	        "write_mib=%.1f exit=%d\n",
	        wall, seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss,
	        (double)ru.ru_inblock * 512 / 1048576, (double)ru.ru_oublock * 512 / 1048576, code);
	if (out != stderr && fclose(out) != 0) {
		fprintf(stderr, "fcat-bench-run: cannot write %s\n", out_path);
		return 2;
	}
	return code;
}
