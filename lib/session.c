/* session.c — the public entry points: options, adding paths in Falco's
 * load order, running the pipeline, and turning diagnostics into views. */
#include "session.h"

#include "compile.h"
#include "ruleset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void fl_options_init(fl_options *o)
{
	memset(o, 0, sizeof(*o));
}

static void limits_default(fl_limits *l)
{
	if (!l->max_file_size)
		l->max_file_size = (size_t)64 << 20;
	if (!l->max_yaml_depth)
		l->max_yaml_depth = 256;
	if (!l->max_yaml_aliases)
		l->max_yaml_aliases = 10000;
	if (!l->max_expr_depth)
		l->max_expr_depth = 1000;
	if (!l->max_dir_entries)
		l->max_dir_entries = 100000;
	if (!l->max_condition_size)
		l->max_condition_size = (size_t)16 << 20;
}

static int parse_version(const char *v, unsigned out[3])
{
	unsigned a, b, c;
	if (!v || sscanf(v, "%u.%u.%u", &a, &b, &c) != 3)
		return -1;
	out[0] = a;
	out[1] = b;
	out[2] = c;
	return 0;
}

/* ---- stage profile ---------------------------------------------------- */

enum { ST_READ, ST_YAML, ST_LOAD, ST_COMPILE, ST_CHECKS, ST_EVAL, ST_REPORT, ST_N };
static const char *const stage_names[ST_N] = {
	"read", "yaml", "load", "compile", "checks", "evaluate", "report",
};

typedef struct stage_clock {
	struct timespec t;
	size_t used;
} stage_clock;

static void clock_start(const fl_session *s, stage_clock *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->t);
	c->used = fl_arena_used(s->arena);
}

/* Adds the time and memory since *c to stage `st`, and restarts *c. */
static void clock_lap(fl_session *s, stage_clock *c, int st)
{
	stage_clock now;
	clock_start(s, &now);
	s->stages[st].seconds += (double)(now.t.tv_sec - c->t.tv_sec) +
				 (double)(now.t.tv_nsec - c->t.tv_nsec) / 1e9;
	s->stages[st].bytes += now.used - c->used;
	*c = now;
}

const fl_stage_stat *fl_session_stages(const fl_session *s, size_t *n)
{
	*n = ST_N;
	return s->stages;
}

fl_session *fl_session_new(const fl_options *o)
{
	fl_session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->arena = fl_arena_new();
	if (!s->arena) {
		free(s);
		return NULL;
	}
	s->opt = *o;
	limits_default(&s->opt.limits);
	for (int i = 0; i < ST_N; i++)
		s->stages[i].name = stage_names[i];
	s->diags.arena = s->arena;
	const char *falco = o->target_falco ? o->target_falco : fl_newest_falco();
	const char *engine = fl_engine_version_of(falco);
	if (!engine || parse_version(engine, s->engine)) {
		fl_arena_free(s->arena);
		free(s);
		return NULL;
	}
	if (o->target_falco)
		s->opt.target_falco = fl_arena_strdup(s->arena, o->target_falco);
	if (o->driver)
		s->opt.driver = fl_arena_strdup(s->arena, o->driver);
	return s;
}

void fl_session_free(fl_session *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->maps.n; i++)
		munmap(s->maps.v[i].p, s->maps.v[i].n);
	fl_arena_free(s->arena);
	free(s);
}

/* Adds a source whose bytes are already in the session arena (NUL-
 * terminated at len) to the load order; NULL on OOM. */
static fl_source *add_adopted(fl_session *s, const char *path, const char *data,
			      size_t len, int context)
{
	fl_source *src = fl_source_adopt(s->arena, (uint32_t)s->sources.n, path, data, len);
	if (!src)
		return NULL;
	src->context = context;
	if (FL_VEC_PUSH(s->arena, s->sources, src))
		return NULL;
	return src;
}

fl_source *fl_session_add_source(fl_session *s, const char *path,
				 const char *data, size_t len, int context)
{
	char *copy = fl_arena_strndup(s->arena, data, len);
	return copy ? add_adopted(s, path, copy, len, context) : NULL;
}

/* A file over --max-file-size: an empty source carries the FL003 refusal. */
static int refuse_large(fl_session *s, const char *name, int context)
{
	fl_source *src = fl_session_add_source(s, name, "", 0, context);
	if (!src)
		return FL_ENOMEM;
	src->failed = 1;
	fl_diag(&s->diags, FL003, (fl_span){src->id, 0, 0},
		"file is larger than %zu bytes (limit --max-file-size)",
		s->opt.limits.max_file_size);
	return 0;
}

int fl_session_add_buffer(fl_session *s, const char *name, const char *data,
			  size_t len, int context)
{
	if (len > s->opt.limits.max_file_size)
		return refuse_large(s, name, context);
	return fl_session_add_source(s, name, data, len, context) ? 0 : FL_ENOMEM;
}

/* An unreadable path still gets a source (empty) so that the diagnostic
 * has a file name and a position. */
static int fail_path(fl_session *s, const char *path, int context, fl_code code,
		     const char *what)
{
	fl_source *src = fl_session_add_source(s, path, "", 0, context);
	if (!src)
		return FL_ENOMEM;
	src->failed = 1;
	/* Reported even for context files: a missing base file matters. */
	src->context = 0;
	fl_diag(&s->diags, code, (fl_span){src->id, 0, 0}, "%s", what);
	return 0;
}

/* Reads a whole file descriptor into the arena, NUL-terminated, refusing
 * more than `max` bytes.  `hint` is the size fstat gave (0 for a pipe):
 * a regular file is read into one buffer of its size, with no copy. */
static int read_fd(fl_arena *a, int fd, size_t hint, size_t max, char **out,
		   size_t *outlen, int *too_big)
{
	/* One byte more than expected: reading it means the file grew. */
	size_t cap = hint && hint <= max ? hint + 1 : 65536, n = 0;
	char *buf = fl_arena_alloc(a, cap + 1);
	*too_big = 0;
	if (!buf)
		return FL_ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				*too_big = 1;
				break;
			}
			char *nb = fl_arena_realloc(a, buf, cap + 1, cap * 2 + 1);
			if (!nb)
				return FL_ENOMEM;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return FL_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			*too_big = 1;
			break;
		}
	}
	buf[n] = 0;
	*out = buf;
	*outlen = n;
	return 0;
}

/* Files this large are mapped when opt.map_files is set: below it, the
 * copy costs less than setting up the mapping. */
enum { MAP_MIN = 256 * 1024 };

/* Maps the `size` bytes of regular file `fd` read-only into *out: 0, or 1
 * when the file is to be read instead (too small, or a multiple of the page
 * size, which leaves no zero byte after its end to terminate it), or
 * FL_ENOMEM. */
static int map_fd(fl_session *s, int fd, size_t size, char **out, size_t *outlen)
{
	long page = sysconf(_SC_PAGESIZE);
	if (fd == 0 || size < MAP_MIN || page <= 0 || size % (size_t)page == 0)
		return 1;
	void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	if (FL_VEC_PUSH(s->arena, s->maps, ((fl_mapping){p, size}))) {
		munmap(p, size);
		return FL_ENOMEM;
	}
	*out = p;
	*outlen = size;
	return 0;
}

/* Reads `path` ("-" = standard input) into a new source.  Returns 0 and the
 * source in *out, or 0 and *out = NULL when the file could not be read
 * (a diagnostic was recorded), or FL_ENOMEM. */
int fl_session_read(fl_session *s, const char *path, int context, fl_source **out)
{
	*out = NULL;
	stage_clock clk;
	clock_start(s, &clk);
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail_path(s, path, context, FL001,
				 fl_arena_printf(s->arena, "cannot open '%s': %s", path, strerror(errno)));
	struct stat st;
	if (fd != 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return fail_path(s, path, context, FL001,
				 fl_arena_printf(s->arena, "'%s' is not a regular file", path));
	}
	if (fd != 0) {
		/* Regular file: blocking reads are fine again. */
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	char *buf = NULL;
	size_t len = 0;
	int too_big = 0;
	size_t hint = fd != 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
	const char *name = fd == 0 ? "<stdin>" : path;
	if (hint > s->opt.limits.max_file_size) {
		/* refused on its size alone: reading max bytes first only
		 * to throw them away cost the time and the memory */
		close(fd);
		return refuse_large(s, name, context);
	}
	int rc = s->opt.map_files ? map_fd(s, fd, hint, &buf, &len) : 1;
	if (rc > 0)
		rc = read_fd(s->arena, fd, hint, s->opt.limits.max_file_size, &buf, &len,
			     &too_big);
	int err = errno;
	if (fd != 0)
		close(fd);
	if (rc == FL_ENOMEM)
		return rc;
	if (rc)
		return fail_path(s, name, context, FL001,
				 fl_arena_printf(s->arena, "cannot read '%s': %s", name, strerror(err)));
	if (too_big)
		return refuse_large(s, name, context);
	fl_source *src = add_adopted(s, name, buf, len, context);
	if (!src)
		return FL_ENOMEM;
	clock_lap(s, &clk, ST_READ);
	*out = src;
	return 0;
}

static int add_file(fl_session *s, const char *path, int context)
{
	fl_source *src;
	return fl_session_read(s, path, context, &src);
}

/* Falco's extension filter: the first ".yaml"/".yml" in the path must be at
 * its very end (rules-format §15). */
int fl_falco_loads_name(const char *path)
{
	const char *y1 = strstr(path, ".yaml"), *y2 = strstr(path, ".yml");
	const char *first = !y1 ? y2 : !y2 ? y1 : (y1 < y2 ? y1 : y2);
	if (!first)
		return 0;
	return strcmp(first, ".yaml") == 0 || strcmp(first, ".yml") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_dir(fl_session *s, const char *path, int context)
{
	DIR *d = opendir(path);
	if (!d)
		return fail_path(s, path, context, FL001,
				 fl_arena_printf(s->arena, "cannot open directory '%s': %s", path, strerror(errno)));
	FL_VEC(char *) names = {0};
	struct dirent *e;
	size_t seen = 0;
	int rc = 0, over = 0;
	size_t plen = strlen(path);
	int slash = plen > 0 && path[plen - 1] == '/';
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (++seen > s->opt.limits.max_dir_entries) {
			fl_source *src = fl_session_add_source(s, path, "", 0, context);
			if (!src) {
				rc = FL_ENOMEM;
				break;
			}
			src->failed = 1;
			fl_diag(&s->diags, FL003, (fl_span){src->id, 0, 0},
				"directory has more than %zu entries (limit --max-dir-entries)",
				s->opt.limits.max_dir_entries);
			over = 1;
			break;
		}
		char *full = fl_arena_printf(s->arena, "%s%s%s", path, slash ? "" : "/", e->d_name);
		if (!full || FL_VEC_PUSH(s->arena, names, full)) {
			rc = FL_ENOMEM;
			break;
		}
	}
	closedir(d);
	/* Over the limit nothing is loaded: the entries read so far are an
	 * arbitrary subset (readdir order), not the first ones Falco would. */
	if (rc || over)
		return rc;
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		struct stat st;
		/* stat follows symlinks: a link to a file counts; sub-directories
		 * and dangling links are skipped, as Falco does. */
		if (stat(names.v[i], &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (!fl_falco_loads_name(names.v[i]))
			continue;
		/* falco-lint's own configuration file is not a rules file, even
		 * though Falco would load it from a rules directory. */
		const char *base = strrchr(names.v[i], '/');
		if (base && strcmp(base + 1, ".falco-lint.yaml") == 0)
			continue;
		rc = add_file(s, names.v[i], context);
	}
	return rc;
}

int fl_session_add_path(fl_session *s, const char *path, int context)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return add_dir(s, path, context);
	if (strcmp(path, "-") != 0 && stat(path, &st) != 0)
		return fail_path(s, path, context, FL001,
				 fl_arena_printf(s->arena, "cannot open '%s': %s", path, strerror(errno)));
	return add_file(s, path, context);
}

/* Release lookups implemented by version.c; weak defaults keep the
 * session linkable without it. */
__attribute__((weak)) const char *fl_newest_falco(void)
{
	return "0.44.1";
}
__attribute__((weak)) const char *fl_engine_version_of(const char *falco)
{
	return "0.62.0";
}

/* h[0] and h[1] remember the last start and end converted: diagnostics come
 * sorted by position, so 100,000 of them on one long line stay linear. */
static void loc_of(const fl_session *s, fl_span sp, fl_location *l, fl_linecol_hint h[2])
{
	memset(l, 0, sizeof(*l));
	if (sp.src >= s->sources.n)
		return;
	const fl_source *src = s->sources.v[sp.src];
	uint32_t first = sp.start, last = sp.end > sp.start ? sp.end - 1 : sp.start;
	if (src->parent && src->parent_text) {
		/* embedded text: report in the file that holds it */
		uint32_t n = (uint32_t)src->len;
		first = fl_text_pos(src->parent_text, first < n ? first : n).off;
		last = fl_text_pos(src->parent_text, last < n ? last : n).off;
		src = src->parent;
	}
	l->file = src->path;
	l->source = src->id;
	fl_source_linecol_near(src, &h[0], first, &l->line, &l->column);
	fl_source_linecol_near(src, &h[1], last, &l->end_line, &l->end_column);
}

static const fl_session *sort_session;

static int cmp_diag(const void *pa, const void *pb)
{
	const fl_dg *a = *(const fl_dg *const *)pa, *b = *(const fl_dg *const *)pb;
	(void)sort_session;
	if (a->span.src != b->span.src)
		return a->span.src < b->span.src ? -1 : 1;
	if (a->span.start != b->span.start)
		return a->span.start < b->span.start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int finish(fl_session *s)
{
	FL_VEC(fl_dg *) keep = {0};
	int sup = fl_suppress_apply(s);
	if (sup)
		return sup;
	for (size_t i = 0; i < s->diags.list.n; i++) {
		fl_dg *g = s->diags.list.v[i];
		if (g->span.src < s->sources.n && s->sources.v[g->span.src]->context)
			continue;
		if (FL_VEC_PUSH(s->arena, keep, g))
			return FL_ENOMEM;
	}
	if (keep.n)
		qsort(keep.v, keep.n, sizeof(fl_dg *), cmp_diag);
	s->views = fl_arena_alloc(s->arena, sizeof(fl_diag_view) * (keep.n + 1));
	if (!s->views)
		return FL_ENOMEM;
	fl_linecol_hint hd[2] = {{0}}, hn[2] = {{0}};
	for (size_t i = 0; i < keep.n; i++) {
		const fl_dg *g = keep.v[i];
		fl_diag_view *v = &s->views[i];
		const fl_check_info *c = &fl_checks[g->code];
		v->code = c->code;
		v->name = c->name;
		v->falco_code = c->falco_code;
		v->severity = (fl_severity)g->severity;
		v->message = g->msg;
		loc_of(s, g->span, &v->loc, hd);
		v->item_kind = g->item_kind;
		v->item_name = g->item_name;
		v->help = g->help;
		v->scenario = g->scenario;
		v->variant = g->variant;
		size_t nn = 0;
		for (const fl_dnote *n = g->notes; n; n = n->next)
			nn++;
		fl_note_view *notes = fl_arena_alloc(s->arena, sizeof(*notes) * (nn + 1));
		if (!notes)
			return FL_ENOMEM;
		nn = 0;
		for (const fl_dnote *n = g->notes; n; n = n->next, nn++) {
			loc_of(s, n->span, &notes[nn].loc, hn);
			notes[nn].message = n->msg;
		}
		v->notes = notes;
		v->nnotes = nn;
	}
	s->nviews = keep.n;
	return 0;
}

/* Streaming a file into the loader: the sink of fl_yaml_stream, which also
 * splits the time between the yaml and load stages. */
typedef struct feed {
	fl_session *s;
	fl_loader *l;
	stage_clock *clk;
	uint32_t calls;       /* items and documents handed to the loader */
} feed;

/* Hands the loader an item, or a whole document's root when `root` is
 * set; the time until now was the parser's, the call's is the loader's. */
static int feed_one(feed *f, const fl_ynode *n, int root)
{
	clock_lap(f->s, f->clk, ST_YAML);
	f->calls++;
	int rc = root ? fl_load_doc(f->l, n) : fl_load_item(f->l, n);
	clock_lap(f->s, f->clk, ST_LOAD);
	return rc;
}

static int feed_item(void *ctx, const fl_ynode *n)
{
	return feed_one(ctx, n, 0);
}

static int feed_doc(void *ctx, const fl_ydoc *d)
{
	return feed_one(ctx, d->root, 1);
}

/* Parses and loads one file item by item.  Returns 0, 1 when it is not
 * valid YAML (*partial: the loader had already read part of it), or a
 * negative FL_E*. */
static int load_streamed(fl_session *s, fl_source *src, const fl_ylimits *lim,
			 stage_clock *clk, int *partial)
{
	feed f = {.s = s, .clk = clk};
	fl_ysink sink = {feed_item, feed_doc, &f};
	uint32_t delivered;
	int rc = fl_load_begin(s, src, &f.l);
	if (rc)
		return rc;
	rc = fl_yaml_stream(src, lim, &s->diags, &sink, &delivered);
	clock_lap(s, clk, ST_YAML);
	*partial = f.calls > 0;
	if (rc == 0)
		rc = fl_load_end(f.l);
	clock_lap(s, clk, ST_LOAD);
	return rc;
}

/* Parses the whole file, then loads it: nothing is read from a file that
 * is not valid YAML (returns 1). */
static int load_whole(fl_session *s, fl_source *src, const fl_ylimits *lim,
		      stage_clock *clk)
{
	/* The loader copies what it keeps into the session arena; the tree
	 * goes with `tree`. */
	fl_arena *tree = fl_arena_new();
	if (!tree)
		return FL_ENOMEM;
	fl_ydoc *docs = NULL;
	uint32_t ndocs = 0;
	int rc = fl_yaml_parse(tree, src, lim, &s->diags, &docs, &ndocs);
	clock_lap(s, clk, ST_YAML);
	if (rc == 0)
		rc = fl_load_file(s, src, docs, ndocs);
	fl_arena_free(tree);
	clock_lap(s, clk, ST_LOAD);
	return rc;
}

/* Forgets what loading and compiling files [0, upto) did, to read them
 * again: the diagnostics since diags0, the ruleset, the compile state, and
 * which files failed as YAML (their errors are reported again). */
static void start_over(fl_session *s, size_t diags0, unsigned char *yaml_failed,
		       size_t upto)
{
	s->diags.list.n = diags0;
	s->rs = NULL;
	fl_compile_reset(s);
	for (size_t j = 0; j < upto; j++)
		if (yaml_failed[j])
			s->sources.v[j]->failed = yaml_failed[j] = 0;
}

/* Diagnostics of the scenario evaluation sort after the checks' at the
 * same position, as when the evaluation ran after all the checks: their
 * emission numbers get this bit. */
#define SEQ_SCENARIO (UINT32_C(1) << 31)

static void scenario_diags(fl_session *s, size_t from)
{
	for (size_t i = from; i < s->diags.list.n; i++)
		s->diags.list.v[i]->seq |= SEQ_SCENARIO;
}

/* The whole-ruleset checks and the scenario evaluation read every rule's
 * final condition once, in one pass: the tree the last compile built,
 * handed over by the compiler (pass_sink), or, for a rule that compile
 * did not reach (unchanged since an earlier file), built again
 * (fl_compile_rule_cond) into an arena reset from rule to rule. */
typedef struct rule_pass {
	fl_session *s;
	stage_clock *clk;
	fl_checkrun *ck;
	fl_scen_run *sr;
	int started;
	unsigned char *done;   /* per rule: checked and evaluated */
} rule_pass;

static int pass_start(rule_pass *p)
{
	fl_session *s = p->s;
	p->started = 1;
	if (s->rs && !(p->done = fl_arena_alloc(s->arena, s->rs->rules.n + 1)))
		return FL_ENOMEM;
	int rc = fl_checks_begin(s, &p->ck);
	clock_lap(s, p->clk, ST_CHECKS);
	if (rc < 0)
		return rc;
	size_t n0 = s->diags.list.n;
	rc = fl_scenarios_begin(s, &p->sr);
	scenario_diags(s, n0);
	clock_lap(s, p->clk, ST_EVAL);
	return rc < 0 ? rc : 0;
}

static int pass_rule(rule_pass *p, const fl_rule *r, const fl_text *text, const fl_expr *ast,
		     const fl_evtset *evts, fl_arena *a)
{
	fl_session *s = p->s;
	int rc = fl_checks_rule(p->ck, r, text, ast);
	clock_lap(s, p->clk, ST_CHECKS);
	size_t n0 = s->diags.list.n;
	if (!rc)
		rc = fl_scenarios_rule(p->sr, r, text, ast, evts, a);
	scenario_diags(s, n0);
	clock_lap(s, p->clk, ST_EVAL);
	return rc;
}

/* fl_rule_sink of the last compile. */
static int pass_sink(void *ctx, size_t i, const fl_rule *r, const fl_text *text,
		     const fl_expr *ast, const fl_evtset *evts, fl_arena *a)
{
	rule_pass *p = ctx;
	clock_lap(p->s, p->clk, ST_COMPILE);
	int rc = p->started ? 0 : pass_start(p);
	if (rc)
		return rc;
	p->done[i] = 1;
	return pass_rule(p, r, text, ast, evts, a);
}

/* The rules the last compile did not hand over, then the checks and the
 * evaluation that need every rule. */
static int pass_finish(rule_pass *p)
{
	fl_session *s = p->s;
	int rc = p->started ? 0 : pass_start(p);
	if (rc)
		return rc;
	fl_arena *a = s->rs ? fl_arena_new_scratch() : NULL;
	if (s->rs && !a)
		rc = FL_ENOMEM;
	for (size_t i = 0; s->rs && i < s->rs->rules.n && !rc; i++) {
		if (p->done[i])
			continue;
		const fl_rule *r = s->rs->rules.v[i];
		const fl_crule *cr = r->compiled;
		fl_text text = {0};
		const fl_expr *ast = NULL;
		if (cr && cr->parsed && !(ast = fl_compile_rule_cond(s, cr, a, &text)))
			rc = FL_ENOMEM;
		fl_evtset evts;
		int typed = !rc && fl_compile_rule_evts(s, cr, ast, &evts);
		clock_lap(s, p->clk, ST_CHECKS);
		if (!rc)
			rc = pass_rule(p, r, &text, ast, typed ? &evts : NULL, a);
		fl_arena_reset(a);
	}
	fl_arena_free(a);
	int rc2 = fl_checks_end(p->ck);
	clock_lap(s, p->clk, ST_CHECKS);
	size_t n0 = s->diags.list.n;
	int rc3 = fl_scenarios_end(p->sr);
	scenario_diags(s, n0);
	clock_lap(s, p->clk, ST_EVAL);
	return rc ? rc : rc2 ? rc2 : rc3;
}

/* Reads and compiles every source in load order.  Files are streamed item
 * by item, so that no file's whole tree is ever in memory.  Falco reads
 * nothing of a file that is not valid YAML, but a stream finds that out
 * after the items before the error were read: the load then starts over,
 * once, from the state before the first file, reading every file whole
 * (parsed before it is loaded).  0 or a negative FL_E*. */
static int load_all(fl_session *s, const fl_ylimits *lim, stage_clock *clk, rule_pass *pass)
{
	size_t diags0 = s->diags.list.n;
	size_t last = 0;  /* + 1: the last source there is to load */
	for (size_t i = 0; i < s->sources.n; i++)
		if (!s->sources.v[i]->failed && !s->sources.v[i]->aux)
			last = i + 1;
	unsigned char *yaml_failed = fl_arena_alloc(s->arena, s->sources.n + 1);
	if (!yaml_failed)
		return FL_ENOMEM;
	int whole = 0, again;
	do {
		again = 0;
		for (size_t i = 0; i < s->sources.n; i++) {
			fl_source *src = s->sources.v[i];
			if (src->failed || src->aux)
				continue;
			int partial = 0;
			int rc = whole ? load_whole(s, src, lim, clk)
				       : load_streamed(s, src, lim, clk, &partial);
			if (rc < 0)
				return rc;
			if (rc && partial) {
				start_over(s, diags0, yaml_failed, i);
				whole = again = 1;
				break;
			}
			if (rc) {
				src->failed = yaml_failed[i] = 1;
				continue;
			}
			/* the last compile is the one the checks read */
			rc = i + 1 == last ? fl_compile_file(s, src, pass_sink, pass)
					   : fl_compile_file(s, src, NULL, NULL);
			clock_lap(s, clk, ST_COMPILE);
			if (rc < 0)
				return rc;
		}
	} while (again);
	return 0;
}

int fl_session_run(fl_session *s)
{
	if (s->ran)
		return FL_EUSAGE;
	s->ran = 1;
	fl_ylimits lim = {
		.max_depth = s->opt.limits.max_yaml_depth,
		.max_nodes = UINT32_MAX,
		.max_aliases = s->opt.limits.max_yaml_aliases,
	};
	stage_clock clk;
	clock_start(s, &clk);
	rule_pass pass = {.s = s, .clk = &clk};
	int rc = load_all(s, &lim, &clk, &pass);
	if (rc >= 0)
		rc = pass_finish(&pass);
	if (rc < 0)
		return rc;
	rc = finish(s);
	clock_lap(s, &clk, ST_REPORT);
	return rc;
}

size_t fl_session_ndiags(const fl_session *s)
{
	return s->nviews;
}

const fl_diag_view *fl_session_diag(const fl_session *s, size_t i)
{
	return i < s->nviews ? &s->views[i] : NULL;
}

const char *fl_session_source_line(const fl_session *s, unsigned source,
				   unsigned line, size_t *len)
{
	if (source >= s->sources.n)
		return NULL;
	return fl_source_line(s->sources.v[source], line, len);
}

size_t fl_session_nsources(const fl_session *s)
{
	return s->sources.n;
}

const char *fl_session_source_path(const fl_session *s, unsigned source)
{
	return source < s->sources.n ? s->sources.v[source]->path : NULL;
}

/* ---- the check catalogue, sorted by code for display ---- */

static const fl_check_view *sorted_checks(void)
{
	static fl_check_view views[FL_NCODES];
	static int ready;
	if (!ready) {
		for (size_t i = 0; i < FL_NCODES; i++) {
			const fl_check_info *c = &fl_checks[i];
			views[i] = (fl_check_view){c->code, c->name, (fl_severity)c->severity,
						   c->on_by_default, c->falco_code,
						   c->summary, c->explain};
		}
		/* insertion sort: the table is small and nearly sorted */
		for (size_t i = 1; i < FL_NCODES; i++) {
			fl_check_view t = views[i];
			size_t j = i;
			while (j > 0 && strcmp(views[j - 1].code, t.code) > 0) {
				views[j] = views[j - 1];
				j--;
			}
			views[j] = t;
		}
		ready = 1;
	}
	return views;
}

size_t fl_check_count(void)
{
	return FL_NCODES;
}

const fl_check_view *fl_check_at(size_t i)
{
	return i < FL_NCODES ? &sorted_checks()[i] : NULL;
}

const fl_check_view *fl_check_find(const char *code)
{
	for (size_t i = 0; i < FL_NCODES; i++)
		if (strcmp(sorted_checks()[i].code, code) == 0)
			return &sorted_checks()[i];
	return NULL;
}
