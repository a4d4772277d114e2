/* peak.c — runs a command and writes its peak resident memory (KB) to a
 * file: `peak OUT CMD [ARG...]`.  The benchmark launches through this small
 * process because Linux carries a process's peak RSS across exec: a command
 * forked from Python would report at least Python's own ~15 MB. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: peak OUT CMD [ARG...]\n");
		return 125;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("peak: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("peak: wait4");
		return 125;
	}
	FILE *f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 125;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
