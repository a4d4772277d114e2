/* atomic.c — replace a file's contents all at once: the new bytes go to a
 * temporary file in the same directory, are flushed to disk, and are then
 * renamed over the target, so a reader (or a crash) sees the old file or
 * the new one, never a partial write.  Used by `falco-lint fix -o FILE`. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "falcolint.h"

/* "cannot write 'PATH'WHAT: REASON" into err; returns FL_EIO. */
static int fail(char *err, size_t errlen, const char *path, const char *what, int e)
{
	if (err && errlen)
		snprintf(err, errlen, "cannot write '%s'%s: %s", path, what, strerror(e));
	return FL_EIO;
}

/* The directory part of `path` ("." when there is none), into buf. */
static void dir_of(const char *path, char *buf, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(buf, n, ".");
		return;
	}
	size_t len = slash == path ? 1 : (size_t)(slash - path);
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), path);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int fl_write_file_atomic(const char *path, const char *data, size_t len,
			 char *err, size_t errlen)
{
	char target[PATH_MAX], dir[PATH_MAX], tmp[2 * PATH_MAX];
	struct stat st;
	int exists = 0;
	if (snprintf(target, sizeof target, "%s", path) >= (int)sizeof target)
		return fail(err, errlen, path, "", ENAMETOOLONG);
	/* Writing through a symlink replaces the file it points to, not the
	 * link: users keep their override files linked into place. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (real) {
			snprintf(target, sizeof target, "%s", real);
			free(real);
		}
	}
	if (stat(target, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return fail(err, errlen, path, ": not a regular file", EINVAL);
		exists = 1;
	}
	dir_of(target, dir, sizeof dir);
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	snprintf(tmp, sizeof tmp, "%s/.%.200s.XXXXXX", dir, base);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e0 = errno;
		char what[PATH_MAX + 64];
		snprintf(what, sizeof what, ": cannot create a temporary file in '%.*s'",
			 PATH_MAX, dir);
		return fail(err, errlen, path, what, e0);
	}
	/* mkstemp creates mode 0600: give the result the old file's mode, or
	 * what a plain creat() would have given (0666 minus the umask). */
	mode_t mode;
	if (exists) {
		mode = st.st_mode & 07777;
		if (fchown(fd, st.st_uid, st.st_gid) != 0) {
			/* not the owner: the file becomes ours, as with any editor */
		}
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	int e = 0;
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, target) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return fail(err, errlen, path, "", e);
	}
	/* Make the rename itself durable. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
