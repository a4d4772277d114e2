/* config.c — reads the rules file list of a Falco configuration file
 * (falco.yaml): `rules_files` or the deprecated `rules_file`, each a path or
 * a sequence of paths, expanded like command-line paths. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session.h"

static char *cfg_error(fl_session *s, const fl_source *src, uint32_t off,
		       const char *msg)
{
	unsigned line = 1, col = 1;
	if (src)
		fl_source_linecol(src, off, &line, &col);
	return fl_arena_printf(s->arena, "%s:%u:%u: %s", src ? src->path : "?", line,
			       col, msg);
}

int fl_session_add_falco_config(fl_session *s, const char *path, char **err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; then only a
	 * regular file is read (a FIFO or a device would never end). */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat fst;
	*err = NULL;
	if (fd >= 0 && (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode))) {
		close(fd);
		*err = fl_arena_printf(s->arena, "Falco configuration '%s' is not a regular file",
				       path);
		return *err ? FL_EUSAGE : FL_ENOMEM;
	}
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		*err = fl_arena_printf(s->arena, "cannot open Falco configuration '%s': %s",
				       path, strerror(errno));
		return FL_EUSAGE;
	}
	FL_VEC(char) buf = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf.n + n > s->opt.limits.max_file_size) {
			fclose(f);
			*err = fl_arena_printf(s->arena, "Falco configuration '%s' is too large", path);
			return FL_EUSAGE;
		}
		for (size_t i = 0; i < n; i++)
			if (FL_VEC_PUSH(s->arena, buf, chunk[i])) {
				fclose(f);
				return FL_ENOMEM;
			}
	}
	fclose(f);
	/* Parse in a scratch diagnostic list: configuration problems are usage
	 * errors, not findings in the rules. */
	fl_source *src = fl_source_new(s->arena, UINT32_MAX, path, buf.v ? buf.v : "", buf.n);
	if (!src)
		return FL_ENOMEM;
	fl_diags scratch = {.arena = s->arena};
	fl_ylimits lim = {s->opt.limits.max_yaml_depth, UINT32_MAX, s->opt.limits.max_yaml_aliases};
	fl_ydoc *docs;
	uint32_t ndocs;
	if (fl_yaml_parse(s->arena, src, &lim, &scratch, &docs, &ndocs)) {
		const fl_dg *g = scratch.list.n ? scratch.list.v[0] : NULL;
		*err = cfg_error(s, src, g ? g->span.start : 0, g ? g->msg : "invalid YAML");
		return FL_EUSAGE;
	}
	const fl_ynode *root = ndocs ? docs[0].root : NULL;
	if (!root || root->kind != FL_Y_MAP) {
		*err = cfg_error(s, src, 0, "a Falco configuration must be a mapping");
		return FL_EUSAGE;
	}
	fl_ynode *k1 = NULL, *k2 = NULL;
	const fl_ynode *files = fl_ymap_get(root, "rules_files", &k1);
	const fl_ynode *file = fl_ymap_get(root, "rules_file", &k2);
	if (files && file) {
		*err = cfg_error(s, src, k2->span.start,
				 "both 'rules_files' and the deprecated 'rules_file' are set");
		return FL_EUSAGE;
	}
	const fl_ynode *v = files ? files : file;
	if (!v) {
		*err = cfg_error(s, src, 0, "no 'rules_files' in the Falco configuration");
		return FL_EUSAGE;
	}
	uint32_t count = v->kind == FL_Y_SEQ ? v->n : 1;
	for (uint32_t i = 0; i < count; i++) {
		const fl_ynode *e = v->kind == FL_Y_SEQ ? v->kids[i] : v;
		if (e->kind != FL_Y_SCALAR || e->is_null) {
			*err = cfg_error(s, src, e->span.start, "a rules file entry must be a path");
			return FL_EUSAGE;
		}
		struct stat st;
		if (stat(e->str, &st) != 0)
			continue;   /* Falco skips configured paths that do not exist */
		int rc = fl_session_add_path(s, e->str, 0);
		if (rc)
			return rc;
	}
	return 0;
}
