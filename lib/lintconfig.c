/* lintconfig.c — the project configuration file, .falco-lint.yaml: code
 * selection, per-path ignores, context rules files, target Falco version,
 * fail level and extra scenario files.  Read with the project's YAML tree;
 * every problem is one "file:line:col: message" usage error. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "falcolint.h"
#include "yaml.h"

/* Keeps a configuration file from costing more than a rules file would. */
#define MAX_CONFIG_SIZE ((size_t)1 << 20)

fl_lintconfig *fl_lintconfig_new(void)
{
	fl_arena *a = fl_arena_new();
	if (!a)
		return NULL;
	fl_lintconfig *c = fl_arena_alloc(a, sizeof(*c));
	if (!c) {
		fl_arena_free(a);
		return NULL;
	}
	c->arena = a;
	return c;
}

void fl_lintconfig_free(fl_lintconfig *c)
{
	if (c)
		fl_arena_free(c->arena);
}

typedef struct reader {
	fl_lintconfig *c;
	const fl_source *src;
} reader;

__attribute__((format(printf, 3, 4))) static int fail(reader *r, const fl_ynode *at,
						      const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	if (at && r->src)
		fl_source_linecol(r->src, at->span.start, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	char *msg = fl_arena_vprintf(r->c->arena, fmt, ap);
	va_end(ap);
	if (!msg)
		return FL_ENOMEM;
	r->c->error = fl_arena_printf(r->c->arena, "%s:%u:%u: %s", r->c->path, line, col, msg);
	return r->c->error ? FL_EUSAGE : FL_ENOMEM;
}

static int valid_code(const char *p, size_t n)
{
	if (n == 3 && !strncmp(p, "ALL", 3))
		return 1;
	for (size_t i = 0; i < fl_check_count(); i++) {
		const char *code = fl_check_at(i)->code;
		if (n && n <= strlen(code) && !strncmp(code, p, n))
			return 1;
	}
	return 0;
}

/* A code list: "FL1, FL402" or a sequence of codes; stored as "FL1,FL402". */
static int read_codes(reader *r, const fl_ynode *v, const char *key, const char **out)
{
	FL_VEC(char) buf = {0};
	uint32_t count = v->kind == FL_Y_SEQ ? v->n : 1;
	if (v->kind == FL_Y_MAP)
		return fail(r, v, "'%s' must be a list of check codes", key);
	for (uint32_t i = 0; i < count; i++) {
		const fl_ynode *e = v->kind == FL_Y_SEQ ? v->kids[i] : v;
		if (e->kind != FL_Y_SCALAR)
			return fail(r, e, "an entry of '%s' must be a check code", key);
		const char *p = e->str;
		while (*p) {
			while (*p == ' ' || *p == ',')
				p++;
			const char *b = p;
			while (*p && *p != ' ' && *p != ',')
				p++;
			if (p == b)
				break;
			if (!valid_code(b, (size_t)(p - b)))
				return fail(r, e, "unknown check code or prefix '%.*s' in '%s'",
					    (int)(p - b > 60 ? 60 : p - b), b, key);
			if (buf.n && FL_VEC_PUSH(r->c->arena, buf, ','))
				return FL_ENOMEM;
			for (const char *q = b; q < p; q++)
				if (FL_VEC_PUSH(r->c->arena, buf, *q))
					return FL_ENOMEM;
		}
	}
	*out = fl_arena_strndup(r->c->arena, buf.v ? buf.v : "", buf.n);
	return *out ? 0 : FL_ENOMEM;
}

/* A path relative to the configuration's directory, as seen from the
 * current directory. */
static const char *resolve(reader *r, const char *p)
{
	if (p[0] == '/' || !strcmp(r->c->dir, "."))
		return fl_arena_strdup(r->c->arena, p);
	return fl_arena_printf(r->c->arena, "%s/%s", r->c->dir, p);
}

/* A path list: one path or a sequence of paths. */
static int read_paths(reader *r, const fl_ynode *v, const char *key, const char ***out,
		      size_t *nout)
{
	if (v->kind == FL_Y_MAP)
		return fail(r, v, "'%s' must be a path or a list of paths", key);
	uint32_t count = v->kind == FL_Y_SEQ ? v->n : 1;
	const char **list = fl_arena_alloc(r->c->arena, sizeof(char *) * (count + 1));
	if (!list)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		const fl_ynode *e = v->kind == FL_Y_SEQ ? v->kids[i] : v;
		if (e->kind != FL_Y_SCALAR || e->is_null || !e->len)
			return fail(r, e, "an entry of '%s' must be a path", key);
		if (!(list[i] = resolve(r, e->str)))
			return FL_ENOMEM;
	}
	*out = list;
	*nout = count;
	return 0;
}

static int read_scalar(reader *r, const fl_ynode *v, const char *key, const char **out)
{
	if (v->kind != FL_Y_SCALAR || v->is_null)
		return fail(r, v, "'%s' must be a string", key);
	*out = v->str;
	return 0;
}

static int read_path_ignores(reader *r, const fl_ynode *v)
{
	if (v->kind != FL_Y_MAP)
		return fail(r, v, "%s", "'per-path-ignores' must map path patterns to check codes");
	fl_lintconfig *c = r->c;
	c->path_ignores = fl_arena_alloc(c->arena, sizeof(fl_path_ignore) * (v->n + 1));
	if (!c->path_ignores)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < v->n; i++) {
		const fl_ynode *k = FL_YKEY(v, i);
		if (k->kind != FL_Y_SCALAR || !k->len)
			return fail(r, k, "%s", "a key of 'per-path-ignores' must be a path pattern");
		fl_path_ignore *pi = &c->path_ignores[c->npath_ignores++];
		pi->pattern = k->str;
		int rc = read_codes(r, FL_YVAL(v, i), "per-path-ignores", &pi->codes);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const known_keys =
	"select, ignore, extend-select, per-path-ignores, rules, target-falco, fail-on, scenarios";

static int read_root(reader *r, const fl_ynode *root)
{
	fl_lintconfig *c = r->c;
	if (!root)
		return 0;  /* an empty file configures nothing */
	if (root->kind != FL_Y_MAP)
		return fail(r, root, "%s", "the configuration must be a mapping of keys to values");
	for (uint32_t i = 0; i < root->n; i++) {
		const fl_ynode *k = FL_YKEY(root, i), *v = FL_YVAL(root, i);
		const char *key = k->kind == FL_Y_SCALAR ? k->str : "";
		int rc;
		if (!strcmp(key, "select"))
			rc = read_codes(r, v, key, &c->select);
		else if (!strcmp(key, "ignore"))
			rc = read_codes(r, v, key, &c->ignore);
		else if (!strcmp(key, "extend-select"))
			rc = read_codes(r, v, key, &c->extend_select);
		else if (!strcmp(key, "per-path-ignores"))
			rc = read_path_ignores(r, v);
		else if (!strcmp(key, "rules"))
			rc = read_paths(r, v, key, &c->rules, &c->nrules);
		else if (!strcmp(key, "scenarios"))
			rc = read_paths(r, v, key, &c->scenarios, &c->nscenarios);
		else if (!strcmp(key, "target-falco")) {
			rc = read_scalar(r, v, key, &c->target_falco);
			if (!rc && !fl_engine_version_of(c->target_falco))
				rc = fail(r, v, "unknown Falco version '%s'", c->target_falco);
		} else if (!strcmp(key, "fail-on")) {
			rc = read_scalar(r, v, key, &c->fail_on);
			if (!rc && strcmp(c->fail_on, "error") && strcmp(c->fail_on, "warning") &&
			    strcmp(c->fail_on, "info"))
				rc = fail(r, v, "unknown fail level '%s' (error, warning, info)", c->fail_on);
		} else {
			rc = fail(r, k, "unknown key '%.60s' (known: %s)", key, known_keys);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static const char *dir_of(fl_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ".";
	if (slash == path)
		return "/";
	return fl_arena_strndup(a, path, (size_t)(slash - path));
}

int fl_lintconfig_read(fl_lintconfig *c, const char *path)
{
	fl_arena *a = c->arena;
	reader r = {c, NULL};
	if (!(c->path = fl_arena_strdup(a, path)) || !(c->dir = dir_of(a, path)))
		return FL_ENOMEM;
	char abs[PATH_MAX];
	c->absdir = realpath(c->dir, abs) ? fl_arena_strdup(a, abs) : c->dir;
	if (!c->absdir)
		return FL_ENOMEM;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; then only a
	 * regular file is read. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat fst;
	if (fd >= 0 && (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode))) {
		close(fd);
		c->error = fl_arena_printf(a, "configuration '%s' is not a regular file", path);
		return c->error ? FL_EUSAGE : FL_ENOMEM;
	}
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		c->error = fl_arena_printf(a, "cannot open configuration '%s': %s", path, strerror(errno));
		return c->error ? FL_EUSAGE : FL_ENOMEM;
	}
	char *buf = fl_arena_alloc(a, MAX_CONFIG_SIZE + 1);
	size_t n = buf ? fread(buf, 1, MAX_CONFIG_SIZE + 1, f) : 0;
	int bad = buf && ferror(f);
	fclose(f);
	if (!buf)
		return FL_ENOMEM;
	if (bad || n > MAX_CONFIG_SIZE) {
		c->error = fl_arena_printf(a, "%s: %s", path, bad ? "cannot read the configuration"
								     : "the configuration is larger than 1 MiB");
		return c->error ? FL_EUSAGE : FL_ENOMEM;
	}
	fl_source *src = fl_source_new(a, UINT32_MAX, c->path, buf, n);
	if (!src)
		return FL_ENOMEM;
	r.src = src;
	fl_diags scratch = {.arena = a};
	fl_ylimits lim = {64, 100000, 100};
	fl_ydoc *docs = NULL;
	uint32_t ndocs = 0;
	int yrc = fl_yaml_parse(a, src, &lim, &scratch, &docs, &ndocs);
	if (yrc == FL_ENOMEM)
		return yrc;
	if (yrc) {
		const fl_dg *g = scratch.list.n ? scratch.list.v[0] : NULL;
		unsigned line = 1, col = 1;
		if (g)
			fl_source_linecol(src, g->span.start, &line, &col);
		c->error = fl_arena_printf(a, "%s:%u:%u: %s", c->path, line, col,
					   g ? g->msg : "invalid YAML");
		return c->error ? FL_EUSAGE : FL_ENOMEM;
	}
	if (ndocs > 1)
		return fail(&r, docs[1].root, "%s", "the configuration must be a single YAML document");
	return read_root(&r, ndocs ? docs[0].root : NULL);
}

int fl_lintconfig_discover(fl_lintconfig *c, const char *dir)
{
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return 1;
	/* Walk up by trimming the absolute path, but name the file relative to
	 * `dir` ("../../.falco-lint.yaml") so that every path derived from it
	 * stays as short as the user's own. */
	size_t up = 0;
	for (;;) {
		char *cand = fl_arena_printf(c->arena, "%s/" FL_LINTCONFIG_NAME,
					     strcmp(abs, "/") ? abs : "");
		if (!cand)
			return FL_ENOMEM;
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			FL_VEC(char) rel = {0};
			const char *base = strcmp(dir, ".") ? dir : NULL;
			for (const char *p = base; p && *p; p++)
				if (FL_VEC_PUSH(c->arena, rel, *p))
					return FL_ENOMEM;
			for (size_t i = 0; i < up; i++) {
				if (rel.n && FL_VEC_PUSH(c->arena, rel, '/'))
					return FL_ENOMEM;
				if (FL_VEC_PUSH(c->arena, rel, '.') || FL_VEC_PUSH(c->arena, rel, '.'))
					return FL_ENOMEM;
			}
			char *path = rel.n ? fl_arena_printf(c->arena, "%.*s/" FL_LINTCONFIG_NAME,
							     (int)rel.n, rel.v)
					   : fl_arena_strdup(c->arena, FL_LINTCONFIG_NAME);
			if (!path)
				return FL_ENOMEM;
			return fl_lintconfig_read(c, path);
		}
		char *slash = strrchr(abs, '/');
		if (!slash || !strcmp(abs, "/"))
			return 1;
		if (slash == abs)
			slash[1] = 0;
		else
			*slash = 0;
		up++;
	}
}

const char *fl_lintconfig_path_ignores(const fl_lintconfig *c, const char *file)
{
	if (!c || !c->npath_ignores || !file)
		return NULL;
	/* Patterns are relative to the configuration's directory; the file is
	 * named relative to the current one. */
	const char *rel = file;
	char abs[PATH_MAX];
	if (realpath(file, abs)) {
		size_t n = strlen(c->absdir);
		if (!strcmp(c->absdir, "/"))
			rel = abs + 1;
		else if (!strncmp(abs, c->absdir, n) && abs[n] == '/')
			rel = abs + n + 1;
	}
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	FL_VEC(char) out = {0};
	for (size_t i = 0; i < c->npath_ignores; i++) {
		const fl_path_ignore *pi = &c->path_ignores[i];
		int hit = fnmatch(pi->pattern, rel, 0) == 0 ||
			  (!strchr(pi->pattern, '/') && fnmatch(pi->pattern, base, 0) == 0);
		if (!hit || !*pi->codes)
			continue;
		if (out.n && FL_VEC_PUSH(c->arena, out, ','))
			return NULL;
		for (const char *p = pi->codes; *p; p++)
			if (FL_VEC_PUSH(c->arena, out, *p))
				return NULL;
	}
	return out.n ? fl_arena_strndup(c->arena, out.v, out.n) : NULL;
}
