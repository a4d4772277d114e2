/* compile.c — the compile stage Falco runs after reading each rules file:
 * lists, macros (list substitution, parse, macro resolution), rules
 * (exception clauses, output, condition, field/operator/value checks,
 * warnings, event types).  Falco recompiles the whole cumulative state per
 * file; this does the same incrementally and reports each finding once. */
#include "compile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "falcolint.h"
#include "hash.h"
#include "session.h"

/* ---- state ------------------------------------------------------------ */

typedef struct clist {
	size_t seen_contribs;     /* contribs.n + items.n at last compile */
} clist;

/* One finding of the check pass over a macro body, replayed for every rule
 * that uses the macro (the dedupe set reports it once). */
typedef struct finding {
	fl_code code;
	fl_span span;
	const char *msg, *help;
	int soft;                 /* skip-if-unknown-filter may downgrade it */
	const char *depfield;     /* deprecated-field warnings: the field */
} finding;
typedef FL_VEC(finding) findings;

typedef struct memo {
	uint32_t epoch;
	unsigned gen;             /* cm->gen it was computed for */
	int done;
	findings warn, err, cwarn;
	/* event types the macro can match, plain and negated: interned
	 * (evt_intern), as most macros share a handful of sets */
	const fl_evtset *evt[2];
} memo;

/* A field name resolved for a source slot (see resolve_field). */
typedef struct fcache_ent {
	const char *name;         /* NULL: free; a copy in the session arena */
	uint32_t len;
	int slot;
	fl_field_status status;
	fl_field_match m;
	ptrdiff_t arg_off;        /* m.arg as an offset into the name, or -1 */
} fcache_ent;

/* A macro reference of a tree and the macro it names. */
typedef struct node_macro {
	const fl_expr *node;
	fl_macro *m;
} node_macro;

typedef struct cstate {
	fl_version target;
	uint64_t *seen;           /* dedupe hashes of reported diagnostics */
	size_t seen_n, seen_cap;
	FL_VEC(clist) lists;
	/* per list, in rs->lists order: compiled items (raw: quoting is
	 * applied when substituted) and whether another list's items use
	 * it (sticky) */
	fl_list_def *defs;
	unsigned char *used_by_list;
	fl_list_used used_idx;    /* subst_lists' buffer, reused */
	/* the defs' names, indexed for substitution; per list, whether its
	 * items changed in the last compile_lists() (mentions_changed_list) */
	fl_list_index *lidx;
	unsigned char *changed;
	uint32_t epoch;
	int macros_changed;       /* since the last rule pass */
	/* per source slot: the epoch whose macro memo pass is complete (macros
	 * do not change while one file's rules compile: one pass per file
	 * and slot, not one per rule) */
	uint32_t memo_epoch[FL_CSLOTS];
	int oom;
	FL_VEC(fl_cmacro *) post; /* macros in dependency post-order */
	/* The macro of every reference of the rule being compiled, as
	 * resolve_refs found it: the later walks of the same tree take it
	 * from here instead of looking the name up again (a cache miss each
	 * in a large ruleset's name table).  Emptied after the rule. */
	FL_VEC(node_macro) node_macros;
	/* Scratch for what is needed only while one item compiles (output
	 * tokens, findings of a rule, tree walks, messages before dedupe):
	 * the session arena keeps only what outlives the compile.  Reset
	 * (chunks kept) after every rule, so that a rule's scratch, and with
	 * a sink the checks' and the evaluator's, reuses warm memory; freed at
	 * the end of every fl_compile_file. */
	fl_arena *tmp;
	/* every event code: the set of most nodes, filled once (filling walks
	 * the event table) */
	fl_evtset all;
	/* fields resolved so far, open addressing (fcache_cap a power of 2) */
	fcache_ent *fcache;
	size_t fcache_n, fcache_cap;
	/* distinct event-type sets of macro memos (evt_intern), open
	 * addressing (evts_cap a power of 2) */
	const fl_evtset **evts;
	size_t evts_n, evts_cap;
} cstate;

/* Final rule texts from this size on are kept with their tree (see
 * compile_rule); the upstream rules' longest is a few KB. */
#define KEEP_COND_MIN ((size_t)64 << 10)

#define TRYM(x) do { if ((x) < 0) { st->oom = 1; return FL_ENOMEM; } } while (0)

/* The scratch arena (created on first use); NULL on OOM (st->oom set). */
static fl_arena *tmp_arena(cstate *st)
{
	if (!st->tmp && !(st->tmp = fl_arena_new_scratch()))
		st->oom = 1;
	return st->tmp;
}

/* Drops the scratch arena when `all`; else empties it, keeping its
 * chunks for the next item. */
static void tmp_release(cstate *st, int all)
{
	if (st->tmp && all) {
		fl_arena_free(st->tmp);
		st->tmp = NULL;
	} else if (st->tmp) {
		fl_arena_reset(st->tmp);
	}
}

static cstate *state(fl_session *s)
{
	if (s->compile_state)
		return s->compile_state;
	cstate *st = fl_arena_alloc(s->arena, sizeof *st);
	if (!st)
		return NULL;
	const char *t = s->opt.target_falco ? s->opt.target_falco : fl_newest_falco();
	if (!t || fl_version_parse(t, strlen(t), &st->target))
		st->target = FL_VERSION_MAKE(0, 44, 1);
	fl_evtset_fill(&st->all);
	s->compile_state = st;
	return st;
}

/* The release checked against: --target-falco, else the newest known. */
fl_version fl_compile_target(const fl_session *s)
{
	const cstate *st = s->compile_state;
	if (st)
		return st->target;
	fl_version v = FL_VERSION_MAKE(0, 44, 1);
	const char *t = s->opt.target_falco ? s->opt.target_falco : fl_newest_falco();
	if (t)
		fl_version_parse(t, strlen(t), &v);
	return v;
}

/* Catalogued sources map to their id, every other source to FL_NSOURCES. */
int fl_compile_slot(const char *source)
{
	int i = fl_source_lookup(source, strlen(source));
	return i < 0 ? FL_NSOURCES : i;
}

static int supported(const cstate *st, fl_version since)
{
	return fl_version_cmp(st->target, since) >= 0;
}

/* ---- diagnostics, reported once --------------------------------------- */

static uint64_t hash_diag(fl_code code, fl_span sp, const char *msg)
{
	uint32_t w[4] = {(uint32_t)code, sp.src, sp.start, sp.end};
	uint64_t h = fl_hash_str(fl_hash_bytes(FL_HASH_INIT, w, sizeof w), msg);
	return h ? h : 1;
}

/* 1 if new (and now remembered), 0 if seen, -1 on OOM. */
static int remember(fl_session *s, cstate *st, uint64_t h)
{
	if (2 * (st->seen_n + 1) > st->seen_cap) {
		size_t nc = st->seen_cap ? 2 * st->seen_cap : 256;
		uint64_t *nt = fl_arena_alloc(s->arena, nc * sizeof *nt);
		if (!nt)
			return -1;
		for (size_t i = 0; i < st->seen_cap; i++) {
			uint64_t v = st->seen[i];
			if (!v)
				continue;
			size_t j = v & (nc - 1);
			while (nt[j])
				j = (j + 1) & (nc - 1);
			nt[j] = v;
		}
		st->seen = nt;
		st->seen_cap = nc;
	}
	size_t j = h & (st->seen_cap - 1);
	while (st->seen[j]) {
		if (st->seen[j] == h)
			return 0;
		j = (j + 1) & (st->seen_cap - 1);
	}
	st->seen[j] = h;
	st->seen_n++;
	return 1;
}

/* Records a diagnostic with message `msg` unless the same one (code,
 * span, message) was reported before; NULL when deduplicated or out of
 * memory (st->oom).  Findings of a macro are replayed for every rule that
 * uses it: most are duplicates, told apart without formatting anything. */
static fl_dg *emit_msg(fl_session *s, cstate *st, fl_code code, fl_span sp,
		       const char *kind, const char *name, const char *msg)
{
	int r = remember(s, st, hash_diag(code, sp, msg));
	if (r <= 0) {
		if (r < 0)
			st->oom = 1;
		return NULL;
	}
	fl_dg *g = fl_diag(&s->diags, code, sp, "%s", msg);
	if (!g) {
		st->oom = 1;
		return NULL;
	}
	if (kind)
		fl_diag_item(g, kind, name);
	return g;
}

static fl_dg *emitv(fl_session *s, cstate *st, fl_code code, fl_span sp,
		    const char *kind, const char *name, const char *fmt,
		    va_list ap) __attribute__((format(printf, 7, 0)));
static fl_dg *emitv(fl_session *s, cstate *st, fl_code code, fl_span sp,
		    const char *kind, const char *name, const char *fmt,
		    va_list ap)
{
	/* formatted in scratch: fl_diag keeps its own copy */
	fl_arena *ta = tmp_arena(st);
	char *msg = ta ? fl_arena_vprintf(ta, fmt, ap) : NULL;
	if (!msg) {
		st->oom = 1;
		return NULL;
	}
	return emit_msg(s, st, code, sp, kind, name, msg);
}

static fl_dg *emit(fl_session *s, cstate *st, fl_code code, fl_span sp,
		   const char *kind, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static fl_dg *emit(fl_session *s, cstate *st, fl_code code, fl_span sp,
		   const char *kind, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fl_dg *g = emitv(s, st, code, sp, kind, name, fmt, ap);
	va_end(ap);
	return g;
}

/* ---- text with positions ---------------------------------------------- */

static void tb_str(fl_text_builder *b, const char *s, fl_pos at)
{
	fl_tbuild_put(b, s, strlen(s), at);
}

static int text_eq(const fl_text *a, const fl_text *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

/* ---- lists (condition spec §6) ---------------------------------------- */

/* Compiles every list's items (§6.1, fl_list_compile) when a list changed;
 * marks which lists' compiled items differ from the previous pass.
 * Returns the number of changed lists, or FL_ENOMEM. */
static int compile_lists(fl_session *s, cstate *st)
{
	fl_ruleset *rs = s->rs;
	fl_arena *a = s->arena;
	size_t n = rs->lists.n;
	int touched = 0;
	if (st->lists.n < n) {
		size_t had = st->lists.n;
		while (st->lists.n < n) {
			clist z = {0};
			TRYM(FL_VEC_PUSH(a, st->lists, z));
		}
		fl_list_def *defs = fl_arena_alloc(a, n * sizeof *defs);
		unsigned char *ubl = fl_arena_alloc(a, n);
		unsigned char *chg = fl_arena_alloc(a, n);
		if (!defs || !ubl || !chg)
			TRYM(-1);
		if (had) {
			memcpy(defs, st->defs, had * sizeof *defs);
			memcpy(ubl, st->used_by_list, had);
		}
		st->defs = defs;
		st->used_by_list = ubl;
		st->changed = chg;
		touched = 1;
	}
	for (size_t i = 0; i < n; i++) {
		fl_list *l = rs->lists.v[i];
		size_t stamp = l->c.contribs.n * 65536u + l->c.base * 7u + l->items.n;
		if (stamp != st->lists.v[i].seen_contribs) {
			st->lists.v[i].seen_contribs = stamp;
			touched = 1;
		}
	}
	if (n)
		memset(st->changed, 0, n);
	if (!touched)
		return 0;
	fl_list_src *src = fl_arena_alloc(a, n * sizeof *src);
	fl_list_def *out = fl_arena_alloc(a, n * sizeof *out);
	if (!src || !out)
		TRYM(-1);
	for (size_t i = 0; i < n; i++) {
		fl_list *l = rs->lists.v[i];
		const char **items = fl_arena_alloc(a, (l->items.n ? l->items.n : 1) * sizeof *items);
		if (!items)
			TRYM(-1);
		for (size_t k = 0; k < l->items.n; k++)
			items[k] = l->items.v[k].s;
		src[i] = (fl_list_src){l->c.name, l->c.order, l->c.visibility, items, l->items.n};
	}
	/* used_by_list is never cleared: a list once expanded into another
	 * stays used */
	TRYM(fl_list_compile(a, src, n, out, st->used_by_list));
	int nchanged = 0;
	for (size_t i = 0; i < n; i++) {
		fl_list_def *d = &st->defs[i];
		int same = out[i].nitems == d->nitems;
		for (size_t k = 0; same && k < out[i].nitems; k++)
			same = out[i].items[k] == d->items[k] || strcmp(out[i].items[k], d->items[k]) == 0;
		d->name = out[i].name;
		d->name_len = out[i].name_len;
		if (same)
			continue;
		d->items = out[i].items;
		d->nitems = out[i].nitems;
		st->changed[i] = 1;
		nchanged++;
	}
	/* names may have changed with the lists: one index per compile */
	if (!(st->lidx = fl_list_index_new(a, st->defs, n)))
		TRYM(-1);
	/* room for every list in the session arena: a substitution into a
	 * scratch arena (subst_lists) names each list once at most, so the
	 * vector never grows there, to dangle once the scratch is reset */
	st->used_idx.n = 0;
	if (st->used_idx.cap < n)
		TRYM(FL_VEC_RESERVE(a, st->used_idx, n));
	return nchanged;
}

/* List i's items after the one-level list expansion of the last compile. */
const char *const *fl_compile_list_items(const fl_session *s, size_t i, size_t *n)
{
	const cstate *st = s->compile_state;
	if (!st || i >= st->lists.n) {
		*n = 0;
		return NULL;
	}
	*n = st->defs[i].nitems;
	return st->defs[i].items;
}

/* Substitutes every list into `in` (fl_list_substitute), the result in
 * arena `a`; when `used` is not NULL, *used gets the indices of the lists
 * that replaced something, ascending (*nused of them; NULL when none), in
 * the session arena.  Returns 0, FL_SUBST_TOO_LONG or FL_SUBST_TOO_COSTLY
 * past --max-condition-size (reported by the caller with too_long(); *out
 * is then `in`, *used the lists named in it), or FL_ENOMEM. */
static int subst_lists(fl_session *s, cstate *st, fl_arena *a, const fl_text *in,
		       fl_text *out, uint32_t **used, size_t *nused)
{
	size_t n = st->lists.n;
	if (used) {
		*used = NULL;
		*nused = 0;
	}
	st->used_idx.n = 0;
	int rc = fl_list_substitute_idx(a, in, st->defs, n, st->lidx,
					s->opt.limits.max_condition_size, out,
					used ? &st->used_idx : NULL);
	if (used && (rc == FL_SUBST_TOO_LONG || rc == FL_SUBST_TOO_COSTLY)) {
		/* the lists it names count as used: no unused-list
		 * warnings on top of the refusal (a pass over every list,
		 * for a condition refused anyway) */
		*out = *in;
		st->used_idx.n = 0;
		for (size_t i = 0; i < n; i++)
			if (st->defs[i].name_len &&
			    fl_memmem(in->s, in->len, st->defs[i].name, st->defs[i].name_len))
				TRYM(FL_VEC_PUSH(s->arena, st->used_idx, (uint32_t)i));
	} else {
		TRYM(rc);
	}
	size_t k = st->used_idx.n;
	if (!k || !used)
		return rc;
	uint32_t *u = fl_arena_alloc(s->arena, k * sizeof *u);
	if (!u)
		TRYM(-1);
	memcpy(u, st->used_idx.v, k * sizeof *u);
	*used = u;
	*nused = k;
	return rc;
}

/* Reports a condition refused by subst_lists(): Falco would build the
 * text, falco-lint stops at its limit (FL003); the item is then treated
 * as one that failed to compile. */
static void too_long(fl_session *s, cstate *st, int rc, fl_span sp, const char *kind,
		     const char *name)
{
	size_t max = s->opt.limits.max_condition_size;
	if (rc == FL_SUBST_TOO_LONG)
		emit(s, st, FL003, sp, kind, name,
		     "condition is longer than %zu bytes after list substitution "
		     "(limit --max-condition-size)", max);
	else
		emit(s, st, FL003, sp, kind, name,
		     "list substitution in the condition rebuilds more than %zu bytes "
		     "(limit %d x --max-condition-size)", FL_SUBST_WORK_FACTOR * max,
		     FL_SUBST_WORK_FACTOR);
}

/* 1 if `t` mentions the name of a list whose compiled items changed: as
 * a delimited token, the only way substitution ever matches a name
 * without delimiter bytes (other names: anywhere in the text). */
static int mentions_changed_list(const cstate *st, const fl_text *t)
{
	if (!st->lidx || !st->lists.n)
		return 0;
	return fl_list_index_mentions(st->lidx, t->s, t->len, st->changed);
}

/* ---- parse errors ----------------------------------------------------- */

static fl_span text_span(const fl_text *t, uint32_t a, uint32_t b, fl_span fallback)
{
	fl_span sp = fl_text_span(t, a, b);
	return sp.src == UINT32_MAX ? fallback : sp;
}

/* Parses t into arena `a`; on errors reports them all (the first is
 * Falco's).  Returns the tree, or NULL when it did not parse (st->oom set
 * when out of memory). */
static fl_expr *parse_cond(fl_session *s, cstate *st, fl_arena *a, const fl_text *t,
			   const fl_text *orig, const char *kind, const char *name,
			   fl_span fallback)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(a, t->s, t->len, s->opt.limits.max_expr_depth, &errs);
	if (!e) {
		st->oom = 1;
		return NULL;
	}
	if (!errs.n)
		return e;
	for (size_t i = 0; i < errs.n; i++) {
		fl_expr_error *er = &errs.v[i];
		fl_span sp = text_span(t, er->start, er->end > er->start ? er->end : er->start + 1,
				       fallback);
		/* the nesting bound is falco-lint's safety limit (--max-expr-depth),
		 * which Falco 0.44 does not enforce: report it as a limit */
		int limit = strstr(er->msg, "max depth limit") != NULL;
		fl_dg *g = emit(s, st, limit ? FL003 : FL050, sp, kind, name, "%s%s", er->msg,
				limit ? " (--max-expr-depth)" : "");
		if (g && i == 0 && t->len < 400 && !text_eq(t, orig))
			fl_diag_note(&s->diags, g, FL_NOSPAN, "the condition as parsed: %.*s",
				     (int)t->len, t->s);
	}
	return NULL;
}

/* ---- macros (condition spec §7) --------------------------------------- */

static fl_cmacro *cmacro_of(fl_session *s, fl_macro *m)
{
	if (!m->compiled) {
		fl_cmacro *cm = fl_arena_alloc(s->arena, sizeof *cm);
		if (!cm)
			return NULL;
		cm->m = m;
		cm->seen_contribs = (size_t)-1;
		m->compiled = cm;
	}
	return m->compiled;
}

/* Collects the MACRO nodes of a tree (iterative). */
typedef FL_VEC(const fl_expr *) node_vec;

static int macro_nodes(fl_arena *a, const fl_expr *root, node_vec *out)
{
	fl_expr_iter *it = fl_expr_iter_new(a, root);
	if (!it)
		return FL_ENOMEM;
	const fl_expr *n;
	fl_expr_event ev;
	while ((ev = fl_expr_iter_next(it, &n)) != FL_EXPR_EV_DONE) {
		if (ev == FL_EXPR_EV_OOM)
			return FL_ENOMEM;
		if (ev == FL_EXPR_EV_ENTER && n->kind == FL_EXPR_MACRO)
			if (FL_VEC_PUSH(a, *out, n))
				return FL_ENOMEM;
	}
	return 0;
}

/* Sets refs to the macros in found[0..n): an exact-size copy in the
 * session arena (pushing there one by one left every outgrown vector
 * behind, a few dozen bytes per rule). */
static int keep_refs(fl_session *s, cstate *st, void *refs_vec, fl_cmacro *const *found,
		     size_t n)
{
	FL_VEC(fl_cmacro *) *refs = refs_vec;
	refs->n = 0;
	if (n > refs->cap)
		TRYM(FL_VEC_RESERVE(s->arena, *refs, n));
	if (n)
		memcpy(refs->v, found, n * sizeof *found);
	refs->n = n;
	return 0;
}

/* Resolves the macro references of `ast` (in `t`): every name must be a
 * macro whose order is below `vis` (rules: UINT32_MAX).  Fills refs, and
 * st->node_macros for the walks that follow; on the first undefined name
 * reports it and returns 1. */
static int resolve_refs(fl_session *s, cstate *st, const fl_expr *ast, const fl_text *t,
			uint32_t vis, void *refs_vec, const char *kind, const char *name,
			fl_span fallback, int report)
{
	node_vec nodes = {0};
	FL_VEC(fl_cmacro *) found = {0};
	fl_arena *ta = tmp_arena(st);
	if (!ta || macro_nodes(ta, ast, &nodes))
		TRYM(-1);
	st->node_macros.n = 0;
	for (size_t i = 0; i < nodes.n; i++) {
		const fl_expr *n = nodes.v[i];
		fl_macro *m = fl_ruleset_macro(s->rs, n->u.macro.name, n->u.macro.len);
		if (m)
			TRYM(FL_VEC_PUSH(s->arena, st->node_macros, ((node_macro){n, m})));
		if (!m || m->c.order >= vis) {
			if (report) {
				fl_dg *g = emit(s, st, FL051,
						text_span(t, n->start, n->end, fallback), kind, name,
						"undefined macro '%.*s'", (int)n->u.macro.len,
						n->u.macro.name);
				if (g && m)
					fl_diag_note(&s->diags, g, fl_item_name_span(&m->c),
						     "defined here, after the %s that uses it", kind);
			}
			TRYM(keep_refs(s, st, refs_vec, found.v, found.n));
			return 1;
		}
		fl_cmacro *cm = cmacro_of(s, m);
		if (!cm)
			TRYM(-1);
		size_t k;
		for (k = 0; k < found.n && found.v[k] != cm; k++)
			;
		if (k == found.n)
			TRYM(FL_VEC_PUSH(ta, found, cm));
	}
	return keep_refs(s, st, refs_vec, found.v, found.n);
}

/* Substitutes and parses the macros whose text may have changed; returns
 * 1 if any macro changed (or is new), 0, or FL_ENOMEM. */
static int macros_parse(fl_session *s, cstate *st, int lists_changed)
{
	fl_ruleset *rs = s->rs;
	int changed = 0;
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_macro *m = rs->macros.v[i];
		fl_cmacro *cm = cmacro_of(s, m);
		if (!cm)
			TRYM(-1);
		cm->dirty = 0;
		int contrib_changed = cm->seen_contribs != m->c.contribs.n * 65536u + m->c.base ||
				      cm->seen_base != m->c.visibility;
		if (!contrib_changed && !(lists_changed && mentions_changed_list(st, &m->cond)))
			continue;
		cm->seen_contribs = m->c.contribs.n * 65536u + m->c.base;
		cm->seen_base = m->c.visibility;
		fl_text t;
		uint32_t *used;
		size_t nused;
		int rc = subst_lists(s, st, s->arena, &m->cond, &t, &used, &nused);
		TRYM(rc);
		cm->lists_used = used;
		cm->nlists_used = nused;
		if (rc) {
			too_long(s, st, rc, text_span(&m->cond, 0, m->cond.len, m->def.span),
				 "macro", m->c.name);
			if (st->oom)
				return FL_ENOMEM;
			cm->text = t;
			cm->ast = NULL;
			cm->dirty = 1;
			changed = 1;
			continue;
		}
		if (cm->ast && text_eq(&t, &cm->text) && !contrib_changed)
			continue;
		cm->text = t;
		cm->dirty = 1;
		changed = 1;
		cm->ast = parse_cond(s, st, s->arena, &t, &m->cond, "macro", m->c.name,
				     m->def.span);
		if (st->oom)
			return FL_ENOMEM;
	}
	return changed;
}

/* Resolves every macro's references, finds loops and computes the
 * dependency post-order; dirtiness spreads to macros that use a dirty one. */
static int macros_resolve(fl_session *s, cstate *st)
{
	fl_ruleset *rs = s->rs;
	/* Only macros parsed anew can resolve differently: a macro that did
	 * not change cannot see macros defined after its own visibility. */
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_cmacro *cm = rs->macros.v[i]->compiled;
		cm->color = 0;
		if (cm->dirty || !cm->resolved) {
			cm->resolved = 1;
			cm->refs.n = 0;
			cm->own_bad = cm->ast == NULL;
			if (cm->ast) {
				fl_macro *m = cm->m;
				int r = resolve_refs(s, st, cm->ast, &cm->text, m->c.visibility,
						     &cm->refs, "macro", m->c.name, m->def.span, 1);
				if (r < 0)
					return r;
				if (r)
					cm->own_bad = 1;
			}
		}
		cm->bad = cm->own_bad;
	}
	/* Loop detection and post-order: iterative DFS, colours 0 white, 1 on
	 * the path, 2 done. */
	st->post.n = 0;
	fl_arena *ta = tmp_arena(st);
	if (!ta)
		return FL_ENOMEM;
	typedef struct frame { fl_cmacro *m; size_t next; } frame;
	FL_VEC(frame) stk = {0};
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_cmacro *root = rs->macros.v[i]->compiled;
		if (root->color)
			continue;
		root->color = 1;
		frame f0 = {root, 0};
		TRYM(FL_VEC_PUSH(ta, stk, f0));
		while (stk.n) {
			frame *f = &stk.v[stk.n - 1];
			if (f->next < f->m->refs.n) {
				fl_cmacro *x = f->m->refs.v[f->next++];
				if (x->color == 2) {
					if (x->bad)
						f->m->bad = 1;
					continue;
				}
				if (x->color == 1) {
					/* A loop: Falco names the first macro met
					 * twice when resolving the lowest macro on
					 * it (the root of the walk is not counted). */
					size_t k = 0;
					while (k < stk.n && stk.v[k].m != x)
						k++;
					fl_cmacro *named = x;
					if (k + 1 < stk.n)
						named = stk.v[k + 1].m;
					fl_cmacro *at = x;
					for (size_t j = k; j < stk.n; j++) {
						if (stk.v[j].m->m->c.order < at->m->c.order)
							at = stk.v[j].m;
						stk.v[j].m->bad = 1;
					}
					if (at != x && k + 1 < stk.n) {
						/* name the successor of `at` on the cycle */
						size_t ai = k;
						while (stk.v[ai].m != at)
							ai++;
						named = ai + 1 < stk.n ? stk.v[ai + 1].m : x;
					}
					int rep = 0;
					for (size_t j = k; j < stk.n; j++)
						rep |= stk.v[j].m->reported;
					if (!rep) {
						fl_dg *g = emit(s, st, FL052, at->m->def.span, "macro",
								at->m->c.name,
								"reference loop in macro '%s'",
								named->m->c.name);
						for (size_t j = k; g && j < stk.n; j++)
							fl_diag_note(&s->diags, g, stk.v[j].m->m->def.span,
								     "'%s' uses '%s'", stk.v[j].m->m->c.name,
								     (j + 1 < stk.n ? stk.v[j + 1].m : x)->m->c.name);
						for (size_t j = k; j < stk.n; j++)
							stk.v[j].m->reported = 1;
					}
					continue;
				}
				x->color = 1;
				frame nf = {x, 0};
				TRYM(FL_VEC_PUSH(ta, stk, nf));
				continue;
			}
			fl_cmacro *done = f->m;
			stk.n--;
			done->color = 2;
			for (size_t k = 0; k < done->refs.n; k++) {
				if (done->refs.v[k]->dirty)
					done->dirty = 1;
				if (done->refs.v[k]->bad)
					done->bad = 1;
			}
			TRYM(FL_VEC_PUSH(s->arena, st->post, done));
		}
	}
	/* Reset the loop report flags of macros no longer in a loop. */
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_cmacro *cm = rs->macros.v[i]->compiled;
		if (!cm->bad)
			cm->reported = 0;
	}
	return 0;
}

/* ---- exception clauses (rules-format §10.5) --------------------------- */

static fl_pos node_pos(const fl_ynode *n)
{
	return (fl_pos){n->span.src, n->span.start};
}

/* Appends the decoded scalar `n` with its file positions (q() applied when
 * quote is set). */
static void put_scalar(fl_session *s, fl_text_builder *b, const fl_ynode *n, int quote)
{
	fl_text t = {0};
	const fl_source *src = n->span.src < s->sources.n ? s->sources.v[n->span.src] : NULL;
	int has = src && fl_yscalar_text(b->a, src, n, &t) == 0 && t.len == n->len;
	const char *str = n->str ? n->str : "";
	int q = quote && fl_quote_item_needed(str, n->len);
	if (q)
		tb_str(b, "\"", node_pos(n));
	if (has)
		fl_tbuild_copy(b, &t, 0, t.len, node_pos(n));
	else
		fl_tbuild_put(b, str, n->len, node_pos(n));
	if (q)
		tb_str(b, "\"", has ? fl_text_pos(&t, t.len) : node_pos(n));
}

static void trimmed(const char *s, uint32_t n, const char **o, uint32_t *on)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*o = s;
	*on = n;
}

/* A comparator whose value is a list: in, intersects, pmatch, or
 * "<op> oneof|anyof|allof" (0.44). */
static int is_list_comp(const char *c, uint32_t n)
{
	int op = fl_op_lookup(c, n);
	if (op >= 0)
		return fl_op_syntax((fl_op)op) == FL_OPSYN_LIST;
	const char *sp = memchr(c, ' ', n);
	if (!sp)
		return 0;
	const char *w = sp;
	uint32_t wn = n - (uint32_t)(sp - c);
	trimmed(w, wn, &w, &wn);
	return fl_modifier_lookup(w, wn) >= 0;
}

/* Builds the rule's condition text with exceptions into arena `a` (a
 * scratch arena: the builders' outgrown buffers stay in it); returns 0, 1
 * when an exception is malformed (reported when `report` is set), or
 * FL_ENOMEM.  Nothing keeps the text: a stage that needs it builds it
 * again (fl_compile_rule_cond). */
static int build_rule_text(fl_session *s, cstate *st, fl_rule *r, fl_arena *a, int report,
			   fl_text *out)
{
	if (!r->exceptions.n) {
		*out = r->cond;
		return 0;
	}
	fl_text_builder b = {0};
	b.a = a;
	b.with_pos = 1;
	fl_pos p0 = r->cond.runs ? fl_text_pos(&r->cond, 0)
				 : (fl_pos){r->cond_def.span.src, r->cond_def.span.start};
	fl_pos pe = r->cond.runs ? fl_text_pos(&r->cond, r->cond.len) : p0;
	tb_str(&b, "(", p0);
	fl_tbuild_copy(&b, &r->cond, 0, r->cond.len,
		       r->cond.runs ? pe : (fl_pos){UINT32_MAX, 0});
	tb_str(&b, ")", pe);
	int bad = 0;
	for (size_t i = 0; i < r->exceptions.n; i++) {
		const fl_exception *ex = &r->exceptions.v[i];
		if (!ex->nvalues)
			continue;
		fl_exc_nodes x;
		if (fl_exception_nodes(a, ex, s->sources.v, s->sources.n, &x))
			return FL_ENOMEM;
		if (!x.fields)
			continue;
		fl_pos ep = {ex->span.src, ex->span.start};
		fl_text_builder c = {0};
		c.a = a;
		c.with_pos = 1;
		if (x.fields->kind == FL_Y_SCALAR) {
			const char *op = "in";
			uint32_t opn = 2;
			if (x.comps && x.comps->kind == FL_Y_SCALAR)
				trimmed(x.comps->str, x.comps->len, &op, &opn);
			tb_str(&c, "(", ep);
			put_scalar(s, &c, x.fields, 0);
			tb_str(&c, " ", ep);
			fl_tbuild_put(&c, op, opn, x.comps ? node_pos(x.comps) : ep);
			tb_str(&c, " (", ep);
			for (size_t k = 0; k < x.nvalues; k++) {
				const fl_ynode *v = x.values[k];
				if (v->kind != FL_Y_SCALAR) {
					if (report)
						emit(s, st, FL061, v->span, "rule", r->c.name,
						     "exception '%s' has a value that is not a string (its 'fields' is a single field)",
						     ex->name);
					bad = 1;
					break;
				}
				if (k)
					tb_str(&c, ", ", node_pos(v));
				put_scalar(s, &c, v, 1);
			}
			tb_str(&c, "))", ep);
		} else if (x.fields->kind == FL_Y_SEQ) {
			uint32_t nf = x.fields->n;
			tb_str(&c, "(", ep);
			for (size_t k = 0; k < x.nvalues && !bad; k++) {
				const fl_ynode *tup = x.values[k];
				uint32_t nt = tup->kind == FL_Y_SEQ ? tup->n : 0;
				if (nt != nf) {
					if (report)
						emit(s, st, FL062, tup->span, "rule", r->c.name,
						     "exception '%s' has %u fields but a value with %u element%s",
						     ex->name, nf, nt, nt == 1 ? "" : "s");
					bad = 1;
					break;
				}
				if (k)
					tb_str(&c, " or ", node_pos(tup));
				tb_str(&c, "(", node_pos(tup));
				for (uint32_t j = 0; j < nf; j++) {
					const fl_ynode *f = x.fields->kids[j];
					const char *op = "=";
					uint32_t opn = 1;
					const fl_ynode *cn = NULL;
					if (x.comps && x.comps->kind == FL_Y_SEQ && j < x.comps->n) {
						cn = x.comps->kids[j];
						if (cn->kind == FL_Y_SCALAR)
							trimmed(cn->str, cn->len, &op, &opn);
					}
					const fl_ynode *el = tup->kids[j];
					if (j)
						tb_str(&c, " and ", node_pos(el));
					tb_str(&c, " ", node_pos(f));
					if (f->kind == FL_Y_SCALAR)
						put_scalar(s, &c, f, 0);
					tb_str(&c, " ", node_pos(f));
					fl_tbuild_put(&c, op, opn, cn ? node_pos(cn) : node_pos(f));
					tb_str(&c, " ", node_pos(el));
					if (el->kind == FL_Y_SEQ) {
						tb_str(&c, "(", node_pos(el));
						for (uint32_t q = 0; q < el->n; q++) {
							if (q)
								tb_str(&c, ", ", node_pos(el->kids[q]));
							if (el->kids[q]->kind == FL_Y_SCALAR)
								put_scalar(s, &c, el->kids[q], 1);
						}
						tb_str(&c, ")", node_pos(el));
					} else if (el->kind == FL_Y_SCALAR && is_list_comp(op, opn)) {
						if (el->len && el->str[0] == '(') {
							put_scalar(s, &c, el, 0);
						} else {
							tb_str(&c, "(", node_pos(el));
							put_scalar(s, &c, el, 0);
							tb_str(&c, ")", node_pos(el));
						}
					} else if (el->kind == FL_Y_SCALAR) {
						put_scalar(s, &c, el, 1);
					}
				}
				tb_str(&c, ")", node_pos(tup));
			}
			tb_str(&c, ")", ep);
		} else {
			continue;
		}
		if (bad)
			break;
		fl_text ct;
		if (fl_tbuild_done(&c, &ct))
			return FL_ENOMEM;
		if (ct.len) {
			tb_str(&b, " and not ", ep);
			fl_tbuild_copy(&b, &ct, 0, ct.len, ep);
		}
	}
	if (bad)
		return 1;
	return fl_tbuild_done(&b, out) ? FL_ENOMEM : 0;
}

/* mentions_changed_list() for rule r's condition with its exception clauses (lists can
 * be named in exception values), built again in the scratch arena. */
static int rule_mentions_changed_list(fl_session *s, cstate *st, fl_rule *r)
{
	fl_arena *ta = tmp_arena(st);
	fl_text t = r->cond;
	if (ta && build_rule_text(s, st, r, ta, 0, &t) != 0)
		t = r->cond;
	return mentions_changed_list(st, &t);
}

/* ---- checks on one tree ------------------------------------------------ */

typedef struct ctx {
	fl_session *s;
	cstate *st;
	const char *source;
	int slot;
	const fl_text *t;
	fl_span fallback;
	findings *warn, *err, *cwarn;
	const char *kind, *name;
	/* where findings live: the session arena for a macro's memo (replayed
	 * for every rule using it), scratch for a rule's own */
	fl_arena *fa;
	/* where the parts of a kept tree live (transformer arguments): the
	 * session arena when building one (fl_compile_tree), else scratch */
	fl_arena *ta;
} ctx;

static void add_finding(ctx *c, findings *v, fl_code code, fl_span sp, int soft,
			const char *depfield, const char *help, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
static void add_finding(ctx *c, findings *v, fl_code code, fl_span sp, int soft,
			const char *depfield, const char *help, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = fl_arena_vprintf(c->fa, fmt, ap);
	va_end(ap);
	finding f = {code, sp, msg, help, soft, depfield};
	if (!msg || FL_VEC_PUSH(c->fa, *v, f))
		c->st->oom = 1;
}

static fl_span osp(ctx *c, uint32_t a, uint32_t b)
{
	return text_span(c->t, a, b > a ? b : a + 1, c->fallback);
}

static int is_num_type(fl_ftype t)
{
	return fl_type_class(t) == FL_TC_NUM;
}

static int valid_number(fl_ftype t, const char *s, size_t n)
{
	if (!n)
		return 0;
	if (t == FL_T_DOUBLE) {
		char *end;
		char buf[64];
		if (n >= sizeof buf)
			return 0;
		memcpy(buf, s, n);
		buf[n] = '\0';
		strtod(buf, &end);
		return *end == '\0';
	}
	size_t i = 0;
	if (s[0] == '+' || s[0] == '-')
		i++;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int valid_hex(const char *s, size_t n)
{
	if (n % 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static uint64_t fcache_hash(int slot, const char *name, size_t len)
{
	return fl_hash_bytes(FL_HASH_INIT ^ (uint64_t)slot, name, len);
}

fl_field_status fl_compile_operand_field(const char *source, const fl_operand *o,
					 fl_version target, fl_field_match *m)
{
	const fl_operand *arg = fl_operand_arg(o);
	return fl_field_resolve(source, o->text, o->len, arg ? arg->text : NULL,
				arg ? arg->len : 0, target, m);
}

/* fl_field_resolve() of a field written without [arg], remembered per
 * source slot and name: the result depends only on those (and the
 * session's target), and conditions and outputs repeat the same few
 * names, each of which would cost a binary search of the catalogue and of
 * its dotted prefixes.  Remembering is skipped when out of memory. */
static fl_field_status resolve_field(fl_session *s, cstate *st, int slot, const char *source,
				     const char *name, size_t len, fl_field_match *m)
{
	uint64_t h = fcache_hash(slot, name, len);
	size_t mask = st->fcache_cap - 1, j = h & mask;
	for (; st->fcache_cap && st->fcache[j].name; j = (j + 1) & mask) {
		const fcache_ent *e = &st->fcache[j];
		if (e->slot == slot && e->len == len && memcmp(e->name, name, len) == 0) {
			*m = e->m;
			if (e->arg_off >= 0)
				m->arg = name + e->arg_off;
			return e->status;
		}
	}
	fl_field_status r = fl_field_resolve(source, name, len, NULL, 0, st->target, m);
	if (len > UINT32_MAX)
		return r;
	if (2 * (st->fcache_n + 1) > st->fcache_cap) {
		size_t nc = st->fcache_cap ? 2 * st->fcache_cap : 64;
		fcache_ent *nt = fl_arena_alloc(s->arena, nc * sizeof *nt);
		if (!nt)
			return r;
		for (size_t i = 0; i < st->fcache_cap; i++) {
			const fcache_ent *e = &st->fcache[i];
			if (!e->name)
				continue;
			size_t k = fcache_hash(e->slot, e->name, e->len) & (nc - 1);
			while (nt[k].name)
				k = (k + 1) & (nc - 1);
			nt[k] = *e;
		}
		st->fcache = nt;
		st->fcache_cap = nc;
		mask = nc - 1;
		for (j = h & mask; nt[j].name; j = (j + 1) & mask)
			;
	}
	char *copy = fl_arena_strndup(s->arena, name, len);
	if (!copy)
		return r;
	fcache_ent *e = &st->fcache[j];
	e->name = copy;
	e->len = (uint32_t)len;
	e->slot = slot;
	e->status = r;
	e->m = *m;
	e->arg_off = m->arg && m->arg >= name && m->arg <= name + len ? m->arg - name : -1;
	if (m->arg && e->arg_off < 0)
		e->name = NULL;  /* an argument from elsewhere: not remembered */
	else
		st->fcache_n++;
	return r;
}

/* Resolves a FIELD operand into side->m; reports problems.  Returns 0 ok,
 * 1 failed. */
static int check_field(ctx *c, const fl_operand *o, fl_cside *side, int in_output)
{
	(void)in_output;
	fl_field_match *m = &side->m;
	if (c->slot < FL_NSOURCES &&
	    !supported(c->st, fl_source_since((fl_source_id)c->slot))) {
		/* before plugins the source was built in: no catalogue */
		memset(m, 0, sizeof *m);
		m->status = FL_FIELD_UNKNOWN_SOURCE;
		side->type = FL_T_NONE;
		return 0;
	}
	fl_field_status stt =
		fl_operand_arg(o) ? fl_compile_operand_field(c->source, o, c->st->target, m)
				  : resolve_field(c->s, c->st, c->slot, c->source, o->text, o->len, m);
	fl_span sp = osp(c, o->start, o->end);
	switch (stt) {
	case FL_FIELD_OK:
		side->type = m->type;
		side->is_list = m->field && (m->field->flags & FL_FF_LIST);
		return 0;
	case FL_FIELD_UNKNOWN_SOURCE:
		/* a source without catalogue: its plugin's fields are unknown */
		side->type = FL_T_NONE;
		return 0;
	case FL_FIELD_UNKNOWN:
	case FL_FIELD_OTHER_SOURCE:
	case FL_FIELD_NOT_YET:
	case FL_FIELD_REMOVED: {
		char why[160] = "";
		char vb[32], vb2[32];
		if (stt == FL_FIELD_OTHER_SOURCE)
			snprintf(why, sizeof why, " for source '%s'", c->source);
		else if (stt == FL_FIELD_NOT_YET && m->field)
			snprintf(why, sizeof why, " in Falco %s (added in %s)",
				 fl_version_str(c->st->target, vb, sizeof vb),
				 fl_version_str(m->field->since, vb2, sizeof vb2));
		else if (stt == FL_FIELD_REMOVED && m->field)
			snprintf(why, sizeof why, " in Falco %s (removed in %s)",
				 fl_version_str(c->st->target, vb, sizeof vb),
				 fl_version_str(m->field->removed, vb2, sizeof vb2));
		const char *sug = stt == FL_FIELD_UNKNOWN
					  ? fl_field_suggest(c->source, o->text, o->len, c->st->target)
					  : NULL;
		const char *help = sug ? fl_arena_printf(c->fa, "did you mean '%s'?", sug) : NULL;
		if (stt == FL_FIELD_OTHER_SOURCE && m->field) {
			for (int k = 0; k < FL_NSOURCES; k++)
				if (m->field->sources & (1u << k)) {
					help = fl_arena_printf(c->fa,
							       "'%s' is a field of source '%s'; set 'source:' on the rule",
							       m->field->name, fl_source_name((fl_source_id)k));
					break;
				}
		}
		add_finding(c, c->err, FL053, sp, 1, NULL, help, "unknown field '%.*s'%s",
			    (int)o->len, c->t->s + o->start, why);
		return 1;
	}
	case FL_FIELD_ARG_MISSING:
		add_finding(c, c->err, FL054, sp, 0, NULL, NULL,
			    "field '%s' needs an argument", o->text);
		return 1;
	case FL_FIELD_ARG_UNEXPECTED:
		add_finding(c, c->err, FL054, sp, 0, NULL, NULL,
			    "field '%s' does not take this argument", o->text);
		return 1;
	case FL_FIELD_ARG_INVALID:
		add_finding(c, c->err, FL054, sp, 0, NULL, NULL,
			    "invalid argument '%.*s' of field '%s'", (int)m->arg_len,
			    m->arg ? m->arg : "", m->field ? m->field->name : o->text);
		return 1;
	}
	return 1;
}

static int check_side(ctx *c, const fl_operand *o, fl_cside *side, unsigned depth);

static int check_transformer(ctx *c, const fl_operand *o, fl_cside *side, unsigned depth)
{
	fl_xform x = o->tr;
	const fl_xform_info *xi = fl_xform_get(x);
	const char *tn = xi->name;
	fl_span sp = osp(c, o->start, o->end);
	if (!supported(c->st, xi->since)) {
		char vb[32], vb2[32];
		add_finding(c, c->err, FL060, sp, 0, NULL, NULL,
			    "transformer '%s' needs Falco %s or newer (target %s)", tn,
			    fl_version_str(xi->since, vb, sizeof vb),
			    fl_version_str(c->st->target, vb2, sizeof vb2));
		return 1;
	}
	uint32_t nargs = fl_operand_nitems(o);
	if (nargs < xi->min_args || (xi->max_args && nargs > xi->max_args)) {
		add_finding(c, c->err, FL059, sp, 0, NULL, NULL,
			    "transformer '%s' takes %u argument%s, not %u", tn, xi->min_args,
			    xi->min_args == 1 ? "" : "s", nargs);
		return 1;
	}
	side->args = fl_arena_alloc(c->ta, sizeof(fl_cside) * (nargs ? nargs : 1));
	if (!side->args) {
		c->st->oom = 1;
		return 1;
	}
	int bad = 0;
	for (uint32_t i = 0; i < nargs; i++) {
		const fl_operand *arg = fl_operand_item(o, i);
		if (arg->kind == FL_OPERAND_VALUE) {
			side->args[i].o = arg;  /* literal argument (join separator, getopt spec) */
			continue;
		}
		if (check_side(c, arg, &side->args[i], depth + 1)) {
			bad = 1;
			continue;
		}
		if (i == 0 && side->args[i].type != FL_T_NONE &&
		    !fl_xform_accepts(x, side->args[i].type, side->args[i].is_list)) {
			add_finding(c, c->err, FL059, osp(c, arg->start, arg->end), 0, NULL, NULL,
				    "transformer '%s' does not accept %s of type %s", tn,
				    side->args[i].is_list ? "a list" : "a value",
				    fl_type_name(side->args[i].type));
			bad = 1;
		}
	}
	if (bad)
		return 1;
	if (xi->result == FL_T_NONE) {
		side->type = nargs ? side->args[0].type : FL_T_NONE;
		side->is_list = nargs ? side->args[0].is_list : 0;
	} else {
		side->type = xi->result;
		side->is_list = 0;
		if (x == FL_XF_JOIN || x == FL_XF_GETOPT)
			side->is_list = 0;
	}
	return 0;
}

static int check_side(ctx *c, const fl_operand *o, fl_cside *side, unsigned depth)
{
	side->o = o;
	if (depth > FL_EXPR_MAX_DEPTH) {
		add_finding(c, c->err, FL059, osp(c, o->start, o->end), 0, NULL, NULL,
			    "transformers nested too deeply");
		return 1;
	}
	if (o->kind == FL_OPERAND_FIELD)
		return check_field(c, o, side, 0);
	if (o->kind == FL_OPERAND_TRANSFORMER)
		return check_transformer(c, o, side, depth);
	return 0;
}

/* (all start with "evt.": check_output relies on it) */
static const char *const deprecated_names[] = {
	"evt.dir", "evt.latency", "evt.latency.s", "evt.latency.ns",
	"evt.latency.human", "evt.wait_latency",
};

/* Warning pass on one check (condition spec §8): <NA> and deprecated
 * fields. */
static void warn_pass(ctx *c, const fl_expr *e)
{
	const fl_operand *l = e->u.check.lhs;
	if (!l || l->kind != FL_OPERAND_FIELD)
		return;
	if ((!strncmp(l->text, "ka.", 3) || !strncmp(l->text, "jevt.", 5))) {
		fl_op op = e->u.check.op;
		if (op == FL_OP_EQ || op == FL_OP_EQEQ || op == FL_OP_NE ||
		    op == FL_OP_IN || op == FL_OP_INTERSECTS || op == FL_OP_PMATCH) {
			const fl_operand *r = e->u.check.rhs;
			int na = 0;
			if (r && r->kind == FL_OPERAND_VALUE && !strcmp(r->text, "<NA>"))
				na = 1;
			for (uint32_t i = 0; r && r->kind == FL_OPERAND_LIST && i < fl_operand_nitems(r); i++) {
				const fl_operand *it = fl_operand_item(r, i);
				if (it->kind == FL_OPERAND_VALUE && !strcmp(it->text, "<NA>"))
					na = 1;
			}
			if (na)
				add_finding(c, c->warn, FL065, osp(c, e->start, e->end), 0, NULL, NULL,
					    "'%s' is compared with '<NA>', which never matches a missing value",
					    l->text);
		}
	}
	for (size_t i = 0; i < sizeof deprecated_names / sizeof *deprecated_names; i++) {
		if (strcmp(l->text, deprecated_names[i]) || fl_operand_arg(l))
			continue;
		const fl_field *f = fl_field_get(l->text, l->len);
		if (f && fl_field_warns_deprecated(f, c->st->target)) {
			const char *why = i == 0
				? "'evt.dir = <' is always true and 'evt.dir = >' always false since enter events are dropped"
				: "it has no value since enter events are dropped";
			add_finding(c, c->warn, FL066, osp(c, l->start, l->end), 0, deprecated_names[i],
				    NULL, "deprecated field '%s': %s", l->text, why);
		}
	}
}

/* The regex pattern without Falco's allowed decorations is plain text. */
static int simple_regex(const char *p, size_t n)
{
	if (n && p[0] == '^')
		p++, n--;
	if (n >= 2 && p[0] == '.' && (p[1] == '*' || p[1] == '+' || p[1] == '?'))
		p += 2, n -= 2;
	if (n && p[n - 1] == '$')
		n--;
	if (n >= 2 && p[n - 2] == '.' && (p[n - 1] == '*' || p[n - 1] == '+' || p[n - 1] == '?'))
		n -= 2;
	for (size_t i = 0; i < n; i++)
		if (strchr("\\^$.|?*+()[]{}", p[i]))
			return 0;
	return 1;
}

/* Compiler warnings on one constant value (condition spec §8). */
static void value_warnings(ctx *c, const fl_expr *e, const fl_operand *v)
{
	if (!supported(c->st, fl_feature_min_falco(FL_FEAT_COMPILE_WARNINGS)))
		return;
	char buf[256];
	size_t n = 0;
	for (uint32_t i = 0; i < v->len && n + 1 < sizeof buf; i++)
		if (!isspace((unsigned char)v->text[i]))
			buf[n++] = v->text[i];
	buf[n] = '\0';
	if (e->u.check.op == FL_OP_REGEX && simple_regex(v->text, v->len)) {
		add_finding(c, c->cwarn, FL069, osp(c, v->start, v->end), 0, NULL, NULL,
			    "regex '%s' has no special characters: '=', 'contains', 'startswith' or 'endswith' is simpler and faster",
			    v->text);
	}
	if (n && v->len < sizeof buf - 1) {
		const char *par = strchr(buf, '(');
		if (par && buf[n - 1] == ')' && fl_xform_lookup(buf, (size_t)(par - buf)) >= 0) {
			add_finding(c, c->cwarn, FL070, osp(c, v->start, v->end), 0, NULL,
				    "transformers are written without quotes",
				    "value '%s' looks like a transformer written as a constant string",
				    v->text);
		} else if ((memchr(buf, '.', n) || memchr(buf, '[', n)) &&
			   /* no field is named without either (the one name
			    * without a dot, static, needs an argument): the
			    * catalogue is searched for values that may be one */
			   fl_field_find(c->source, buf, n, c->st->target)) {
			add_finding(c, c->cwarn, FL070, osp(c, v->start, v->end), 0, NULL,
				    fl_arena_printf(c->fa, "to compare with the field, write 'val(%s)'", buf),
				    "value '%s' looks like a field written as a constant string", v->text);
		}
	}
}

/* Checks one value against the lhs type. */
static int check_value(ctx *c, const fl_expr *e, const fl_cside *lhs, const fl_operand *v,
		       fl_op op)
{
	fl_span sp = osp(c, v->start, v->end);
	if (v->kind != FL_OPERAND_VALUE && v->kind != FL_OPERAND_IDENT)
		return 0;
	const fl_operand *l = lhs->o;
	if (l->kind == FL_OPERAND_FIELD && !fl_operand_arg(l) && !strcmp(l->text, "evt.type") &&
	    lhs->m.status == FL_FIELD_OK) {
		if (fl_evttype_index_at(v->text, v->len, c->st->target) < 0) {
			const char *sug = fl_evttype_suggest(v->text, v->len);
			const char *ren = fl_evttype_renamed(v->text, v->len);
			if (ren)
				sug = ren;
			add_finding(c, c->err, FL057, sp, 1, NULL,
				    sug ? fl_arena_printf(c->fa, "did you mean '%s'?", sug) : NULL,
				    "unknown event type '%s'", v->text);
			return 1;
		}
		return 0;
	}
	if (lhs->type == FL_T_NONE)
		return 0;
	if ((op == FL_OP_BCONTAINS || op == FL_OP_BSTARTSWITH) && !valid_hex(v->text, v->len)) {
		add_finding(c, c->err, FL058, sp, 0, NULL, NULL,
			    "'%s' is not a hex string ('%s' takes bytes written as pairs of hex digits)",
			    v->text, fl_op_text(op));
		return 1;
	}
	if (is_num_type(lhs->type) && op != FL_OP_EXISTS &&
	    !valid_number(lhs->type, v->text, v->len)) {
		add_finding(c, c->err, FL056, sp, 0, NULL, NULL,
			    "'%s' is not a valid number (field type %s)", v->text,
			    fl_type_name(lhs->type));
		return 1;
	}
	return 0;
}

/* Compiles one CHECK node into n. */
static int check_check(ctx *c, const fl_expr *e, fl_ccheck *n)
{
	const fl_operand *l = e->u.check.lhs;
	fl_op op = e->u.check.op;
	const char *opn = fl_op_text(op);
	n->op = op;
	n->mod = FL_MOD_NONE;
	if (!supported(c->st, fl_op_since(op))) {
		char vb[32], vb2[32];
		add_finding(c, c->err, FL060, osp(c, e->u.check.op_start, e->u.check.op_end), 0,
			    NULL, NULL, "operator '%s' needs Falco %s or newer (target %s)", opn,
			    fl_version_str(fl_op_since(op), vb, sizeof vb),
			    fl_version_str(c->st->target, vb2, sizeof vb2));
		return 1;
	}
	n->mod = e->u.check.mod;
	if (n->mod != FL_MOD_NONE) {
		const char *mn = fl_modifier_text(n->mod);
		if (!supported(c->st, fl_modifier_since(n->mod))) {
			char vb[32], vb2[32];
			add_finding(c, c->err, FL060, osp(c, e->u.check.op_start, e->u.check.op_end),
				    0, NULL, NULL, "modifier '%s' needs Falco %s or newer (target %s)",
				    mn, fl_version_str(fl_modifier_since(n->mod), vb, sizeof vb),
				    fl_version_str(c->st->target, vb2, sizeof vb2));
			return 1;
		}
	}
	if (check_side(c, l, &n->lhs, 0))
		return 1;
	if (l->kind == FL_OPERAND_FIELD && n->lhs.m.status == FL_FIELD_OK && n->lhs.m.field &&
	    (n->lhs.m.field->flags & FL_FF_PRINT_ONLY)) {
		add_finding(c, c->err, FL054, osp(c, l->start, l->end), 0, NULL, NULL,
			    "field '%s' can only be used in outputs", l->text);
		return 1;
	}
	if (n->lhs.type != FL_T_NONE && n->lhs.type != FL_T_DYNAMIC) {
		char buf[200];
		if (fl_op_type_error(op, n->lhs.type, n->lhs.is_list, buf, sizeof buf)) {
			add_finding(c, c->err, FL055, osp(c, e->u.check.op_start, e->u.check.op_end),
				    0, NULL, NULL, "%s (field '%.*s' is %s%s)", buf,
				    (int)(l->end - l->start), c->t->s + l->start,
				    n->lhs.is_list ? "a list of " : "", fl_type_name(n->lhs.type));
			return 1;
		}
		if (n->mod != FL_MOD_NONE && !fl_modifier_allowed(op, n->lhs.type, n->lhs.is_list)) {
			add_finding(c, c->err, FL055, osp(c, e->u.check.op_start, e->u.check.op_end),
				    0, NULL, NULL, "'%s %s' is not supported for %s fields", opn,
				    fl_modifier_text(e->u.check.mod), fl_type_name(n->lhs.type));
			return 1;
		}
	}
	const fl_operand *r = e->u.check.rhs;
	if (!r)
		return 0;
	n->rhs.o = r;
	if (r->kind == FL_OPERAND_FIELD || r->kind == FL_OPERAND_TRANSFORMER) {
		if (!supported(c->st, fl_feature_min_falco(FL_FEAT_FIELD_RHS))) {
			char vb[32];
			add_finding(c, c->err, FL060, osp(c, r->start, r->end), 0, NULL, NULL,
				    "comparing with a field needs Falco 0.38.0 or newer (target %s)",
				    fl_version_str(c->st->target, vb, sizeof vb));
			return 1;
		}
		return check_side(c, r, &n->rhs, 0);
	}
	int bad = 0;
	if (r->kind == FL_OPERAND_LIST) {
		for (uint32_t i = 0; i < fl_operand_nitems(r); i++) {
			const fl_operand *it = fl_operand_item(r, i);
			if (it->kind == FL_OPERAND_FIELD || it->kind == FL_OPERAND_TRANSFORMER) {
				fl_cside tmp = {0};
				bad |= check_side(c, it, &tmp, 0);
			} else {
				bad |= check_value(c, e, &n->lhs, it, op);
			}
		}
	} else {
		bad = check_value(c, e, &n->lhs, r, op);
	}
	return bad;
}

/* Compiler warnings of a check whose compile succeeded. */
static void check_cwarn(ctx *c, const fl_expr *e)
{
	const fl_operand *r = e->u.check.rhs;
	if (!r)
		return;
	if (r->kind == FL_OPERAND_VALUE)
		value_warnings(c, e, r);
	else if (r->kind == FL_OPERAND_LIST)
		for (uint32_t i = 0; i < fl_operand_nitems(r); i++)
			if (fl_operand_item(r, i)->kind == FL_OPERAND_VALUE)
				value_warnings(c, e, fl_operand_item(r, i));
}

/* The macro reference `e` names: resolve_refs' answer for the rule being
 * compiled, else a lookup. */
static fl_macro *macro_of(const ctx *c, const fl_expr *e)
{
	const cstate *st = c->st;
	for (size_t i = 0; i < st->node_macros.n; i++)
		if (st->node_macros.v[i].node == e)
			return st->node_macros.v[i].m;
	return fl_ruleset_macro(c->s->rs, e->u.macro.name, e->u.macro.len);
}

/* Event-type set of a node (fields.h describes Falco's rules). */
static void evt_of_check(const cstate *st, const fl_expr *e, int neg, fl_evtset *out)
{
	const fl_operand *l = e->u.check.lhs;
	fl_op op = e->u.check.op;
	if (!l || l->kind != FL_OPERAND_FIELD || fl_operand_arg(l) || strcmp(l->text, "evt.type") ||
	    e->u.check.mod != FL_MOD_NONE ||
	    !(op == FL_OP_EQ || op == FL_OP_EQEQ || op == FL_OP_NE ||
	      op == FL_OP_IN) || !e->u.check.rhs) {
		*out = st->all;
		return;
	}
	fl_evtset_clear(out);
	const fl_operand *r = e->u.check.rhs;
	if (r->kind == FL_OPERAND_LIST) {
		for (uint32_t i = 0; i < fl_operand_nitems(r); i++) {
			const fl_operand *it = fl_operand_item(r, i);
			if (it->kind == FL_OPERAND_VALUE || it->kind == FL_OPERAND_IDENT)
				fl_evtset_add_name(out, it->text, it->len);
		}
	} else if (r->kind == FL_OPERAND_VALUE || r->kind == FL_OPERAND_IDENT) {
		fl_evtset_add_name(out, r->text, r->len);
	} else {
		*out = st->all;
		return;
	}
	int comp = (op == FL_OP_NE) ^ neg;
	if (comp)
		fl_evtset_complement(out);
}

/* Event-type set of `e` (fields.h describes Falco's rules), negated when
 * `neg`; macro references take their memo for this slot (computed before,
 * post-order).  Depth-bounded recursion: the parser bounds nesting. */
static void evt_of(const ctx *c, const fl_expr *e, unsigned depth, int neg, fl_evtset *evt)
{
	if (depth > 2 * FL_EXPR_MAX_DEPTH) {
		*evt = c->st->all;
		return;
	}
	switch (e->kind) {
	case FL_EXPR_AND:
	case FL_EXPR_OR: {
		if (!e->u.kids.n) {
			*evt = c->st->all;
			break;
		}
		int isect = (e->kind == FL_EXPR_AND) ^ neg;
		evt_of(c, e->u.kids.v[0], depth + 1, neg, evt);
		for (uint32_t i = 1; i < e->u.kids.n; i++) {
			fl_evtset ks;
			evt_of(c, e->u.kids.v[i], depth + 1, neg, &ks);
			if (isect)
				fl_evtset_intersect(evt, &ks);
			else
				fl_evtset_union(evt, &ks);
		}
		break;
	}
	case FL_EXPR_NOT:
		evt_of(c, e->u.child, depth + 1, !neg, evt);
		break;
	case FL_EXPR_CHECK:
		evt_of_check(c->st, e, neg, evt);
		break;
	case FL_EXPR_MACRO: {
		fl_macro *m = macro_of(c, e);
		const fl_cmacro *cm = m ? m->compiled : NULL;
		const memo *mm = cm ? cm->memo[c->slot] : NULL;
		if (mm && mm->done)
			*evt = *mm->evt[neg];
		else
			*evt = c->st->all;
		break;
	}
	case FL_EXPR_ERROR:
	default:
		*evt = c->st->all;
		break;
	}
}

/* Runs the warning pass and the checks over `e` (depth-bounded recursion:
 * the parser bounds nesting) and, when n is not NULL, fills the compiled
 * node n (the compile stage itself keeps no tree: fl_compile_tree builds
 * one on demand).  Macro nodes replay the findings memoised for the macro
 * and this slot.  Returns 0, or -1 on OOM (st->oom set). */
static int build(ctx *c, const fl_expr *e, unsigned depth, fl_cnode *n, int *bad)
{
	if (n) {
		n->kind = e->kind;
		n->ast = e;
	}
	if (depth > 2 * FL_EXPR_MAX_DEPTH) {
		*bad = 1;
		return 0;
	}
	switch (e->kind) {
	case FL_EXPR_AND:
	case FL_EXPR_OR:
	case FL_EXPR_NOT: {
		uint32_t nk = e->kind == FL_EXPR_NOT ? 1 : e->u.kids.n;
		fl_cnode *kids = NULL;
		if (n) {
			kids = fl_arena_alloc(c->ta, sizeof(fl_cnode) * (nk ? nk : 1));
			if (!kids) {
				c->st->oom = 1;
				return -1;
			}
			n->kids = kids;
			n->n = nk;
		}
		for (uint32_t i = 0; i < nk; i++) {
			const fl_expr *k = e->kind == FL_EXPR_NOT ? e->u.child : e->u.kids.v[i];
			if (build(c, k, depth + 1, kids ? &kids[i] : NULL, bad))
				return -1;
		}
		break;
	}
	case FL_EXPR_CHECK: {
		fl_ccheck local = {0}, *k = &local;
		if (n) {
			k = n->check = fl_arena_alloc(c->ta, sizeof *n->check);
			if (!k) {
				c->st->oom = 1;
				return -1;
			}
		}
		k->op = -1;
		k->mod = FL_MOD_NONE;
		warn_pass(c, e);
		if (check_check(c, e, k))
			*bad = 1;
		else
			check_cwarn(c, e);
		break;
	}
	case FL_EXPR_MACRO: {
		fl_macro *m = macro_of(c, e);
		fl_cmacro *cm = m ? m->compiled : NULL;
		memo *mm = cm ? cm->memo[c->slot] : NULL;
		if (n)
			n->macro = cm;
		if (!mm || !mm->done) {
			*bad = 1;
			break;
		}
		for (size_t i = 0; i < mm->warn.n; i++)
			if (FL_VEC_PUSH(c->fa, *c->warn, mm->warn.v[i]))
				c->st->oom = 1;
		for (size_t i = 0; i < mm->err.n; i++)
			if (FL_VEC_PUSH(c->fa, *c->err, mm->err.v[i]))
				c->st->oom = 1;
		for (size_t i = 0; i < mm->cwarn.n; i++)
			if (FL_VEC_PUSH(c->fa, *c->cwarn, mm->cwarn.v[i]))
				c->st->oom = 1;
		if (mm->err.n)
			*bad = 1;
		break;
	}
	case FL_EXPR_ERROR:
	default:
		*bad = 1;
		break;
	}
	return c->st->oom ? -1 : 0;
}

/* The shared copy of event-type set e, in the session arena; NULL on
 * OOM. */
static const fl_evtset *evt_intern(fl_session *s, cstate *st, const fl_evtset *e)
{
	if ((st->evts_n + 1) * 2 > st->evts_cap) {
		size_t cap = st->evts_cap ? st->evts_cap * 2 : 64;
		const fl_evtset **t = fl_arena_alloc(s->arena, cap * sizeof *t);
		if (!t)
			return NULL;
		for (size_t i = 0; i < st->evts_cap; i++) {
			if (!st->evts[i])
				continue;
			size_t j = fl_hash_bytes(FL_HASH_INIT, st->evts[i], sizeof *e) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = st->evts[i];
		}
		st->evts = t;
		st->evts_cap = cap;
	}
	size_t j = fl_hash_bytes(FL_HASH_INIT, e, sizeof *e) & (st->evts_cap - 1);
	for (; st->evts[j]; j = (j + 1) & (st->evts_cap - 1))
		if (!memcmp(st->evts[j], e, sizeof *e))
			return st->evts[j];
	fl_evtset *c = fl_arena_alloc(s->arena, sizeof *c);
	if (!c)
		return NULL;
	*c = *e;
	st->evts[j] = c;
	st->evts_n++;
	return c;
}

/* Computes the memo of every macro for `slot` (post-order, so referenced
 * macros come first); only stale ones are rebuilt. */
static int macros_memo(fl_session *s, cstate *st, int slot, const char *source)
{
	if (st->memo_epoch[slot] == st->epoch)
		return 0;
	for (size_t i = 0; i < st->post.n; i++) {
		fl_cmacro *cm = st->post.v[i];
		memo *mm = cm->memo[slot];
		if (mm && mm->gen == cm->gen)
			continue;
		if (!mm) {
			mm = fl_arena_alloc(s->arena, sizeof *mm);
			if (!mm)
				TRYM(-1);
			cm->memo[slot] = mm;
		}
		memset(mm, 0, sizeof *mm);
		mm->epoch = st->epoch;
		mm->gen = cm->gen;
		if (cm->tree)
			cm->tree[slot] = NULL;
		if (cm->bad || !cm->ast)
			continue;  /* not done: users skip silently */
		fl_arena *ta = tmp_arena(st);
		if (!ta)
			return FL_ENOMEM;
		ctx c = {s, st, source, slot, &cm->text, cm->m->def.span,
			 &mm->warn, &mm->err, &mm->cwarn, "macro", cm->m->c.name, s->arena, ta};
		int bad = 0;
		if (build(&c, cm->ast, 0, NULL, &bad))
			return FL_ENOMEM;
		/* both polarities: a user may negate the reference */
		for (int neg = 0; neg < 2; neg++) {
			fl_evtset e;
			evt_of(&c, cm->ast, 0, neg, &e);
			if (!(mm->evt[neg] = evt_intern(s, st, &e)))
				TRYM(-1);
		}
		mm->done = 1;
	}
	st->memo_epoch[slot] = st->epoch;
	return 0;
}

/* ---- outputs (rules-format §14.1) -------------------------------------- */

static int fieldch(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.';
}

typedef struct out_src {
	fl_session *s;
	cstate *st;
	const char *source;
	int slot;
} out_src;

/* fl_output_parse's question: is this a field of the rule's source? */
static int out_field_known(void *src, const char *name, size_t len, int has_arg,
			   const char *arg, size_t arg_len)
{
	const out_src *o = src;
	fl_field_match m;
	fl_field_status fs =
		has_arg ? fl_field_resolve(o->source, name, len, arg, arg_len, o->st->target, &m)
			: resolve_field(o->s, o->st, o->slot, o->source, name, len, &m);
	return fs == FL_FIELD_OK || fs == FL_FIELD_UNKNOWN_SOURCE;
}

/* Checks the output of r; 0 ok, 1 error (reported), FL_ENOMEM. */
static int check_output(fl_session *s, cstate *st, fl_rule *r, int *soft_fail)
{
	/* "unknown filter" failures are what skip-if-unknown-filter skips */
	fl_code soft_code = r->skip_if_unknown_filter ? FL064 : FL063;
	const fl_text *t = &r->output;
	const char *p = t->s;
	uint32_t n = t->len;
	fl_span fallback = r->output_span;
	const char *src = r->source ? r->source : "syscall";
	int sid = fl_source_lookup(src, strlen(src));
	int catalogued = sid >= 0 && supported(st, fl_source_since((fl_source_id)sid));
	*soft_fail = 0;
	/* Deprecations first (Falco: %container.info, then deprecated fields). */
	if (supported(st, fl_feature_min_falco(FL_FEAT_CONTAINER_PLUGIN))) {
		const char *ci = n ? fl_memmem(p, n, "%container.info", 15) : NULL;
		if (ci) {
			uint32_t off = (uint32_t)(ci - p);
			fl_dg *g = emit(s, st, FL068, text_span(t, off, off + 15, fallback), "rule",
					r->c.name,
					"'%%container.info' is deprecated and is removed from the output");
			if (g)
				fl_diag_help(&s->diags, g, "write the fields you want, e.g. '%%container.id %%container.name'");
		}
	}
	/* every deprecated name starts with "evt.": the first occurrence of
	 * each is at one of the "evt." of the output, looked at once each */
	enum { NDEP = sizeof deprecated_names / sizeof *deprecated_names };
	const char *first[NDEP] = {0};
	for (const char *e = n ? fl_memmem(p, n, "evt.", 4) : NULL; e;
	     e = fl_memmem(e + 4, n - (size_t)(e + 4 - p), "evt.", 4))
		for (size_t i = 0; i < NDEP; i++) {
			size_t dl = strlen(deprecated_names[i]);
			if (!first[i] && (size_t)(p + n - e) >= dl &&
			    !memcmp(e, deprecated_names[i], dl))
				first[i] = e;
		}
	for (size_t i = 0; i < NDEP; i++) {
		const char *d = deprecated_names[i];
		const char *hit = first[i];
		if (!hit)
			continue;
		const fl_field *f = fl_field_get(d, strlen(d));
		if (f && fl_field_warns_deprecated(f, st->target)) {
			uint32_t off = (uint32_t)(hit - p);
			emit(s, st, FL067, text_span(t, off, off + (uint32_t)strlen(d), fallback), "rule",
			     r->c.name, "output uses deprecated field '%s'", d);
		}
	}
	if (!n)
		return 0;
	/* the tokens are only looked at here */
	fl_arena *ta = tmp_arena(st);
	if (!ta)
		return FL_ENOMEM;
	/* Falco replaces %container.info before compiling (with "" since 0.41,
	 * with container_id/container_name fields before): blank it out,
	 * keeping every offset */
	const char *scan = p;
	if (fl_memmem(p, n, "%container.info", 15)) {
		char *c = fl_arena_strndup(ta, p, n);
		if (!c)
			TRYM(-1);
		const char *hit;
		for (size_t off = 0; (hit = fl_memmem(c + off, n - off, "%container.info", 15));) {
			off = (size_t)(hit - c);
			memset(c + off, ' ', 15);
			off += 15;
		}
		scan = c;
	}
	out_src os = {s, st, src, sid < 0 ? FL_NSOURCES : sid};
	fl_output o;
	fl_expr_errors errs = {0};
	TRYM(fl_output_parse(ta, scan, n, catalogued ? out_field_known : NULL, &os,
			     &o, &errs));
	/* Falco stops at the first bad token.  Without a catalogue only the
	 * syntax is known: a name that is not a field name is not reported. */
	const fl_expr_error *e = NULL;
	for (size_t i = 0; i < errs.n && !e; i++)
		if (catalogued || errs.v[i].start == errs.v[i].pos ||
		    !fieldch(scan[errs.v[i].start]))
			e = &errs.v[i];
	if (!e)
		return 0;
	if (e->start == e->pos) {
		/* the text ends with '%' or '%' and a width */
		emit(s, st, FL063, text_span(t, e->start, e->end, fallback), "rule", r->c.name,
		     e->end == e->start + 1 ? "output ends with a '%%' (a literal '%%' cannot be written)"
					    : "output ends with '%%' and a number but no field");
		return 1;
	}
	*soft_fail = 1;
	if (!fieldch(scan[e->start])) {
		emit(s, st, soft_code, text_span(t, e->pos, e->pos + 1, fallback), "rule", r->c.name,
		     "'%%' is not followed by a field (a literal '%%' cannot be written)");
		return 1;
	}
	/* The token's own name: quote all of what looks like one (typos such
	 * as 'proc..name' stay whole); a field inside a transformer call: the
	 * span fl_output_parse gives. */
	uint32_t j = e->pos + 1, end = e->end;
	while (j < n && isdigit((unsigned char)scan[j]))
		j++;
	if (e->start == j)
		for (end = j; end < n && fieldch(scan[end]); end++)
			;
	const char *name = scan + e->start;
	uint32_t len = end - e->start;
	const char *sug = catalogued ? fl_field_suggest(src, name, len, st->target) : NULL;
	fl_dg *g = emit(s, st, soft_code, text_span(t, e->start, end, fallback), "rule",
			r->c.name, "unknown field '%.*s' in output", (int)len, name);
	if (!g || !sug)
		return 1;
	if (strlen(sug) != len || memcmp(sug, name, len))
		fl_diag_help(&s->diags, g, "did you mean '%s'?", sug);
	else if (end < n && scan[end] == '[')
		fl_diag_help(&s->diags, g, "its argument does not parse: write [text] without "
			     "quotes, brackets or blanks, or a quoted [\"text\"]");
	else
		fl_diag_help(&s->diags, g, "it needs an argument: '%s[...]'", sug);
	return 1;
}

/* ---- rules ------------------------------------------------------------ */

static fl_crule *crule_of(fl_session *s, fl_rule *r)
{
	if (!r->compiled) {
		fl_crule *cr = fl_arena_alloc(s->arena, sizeof *cr);
		if (!cr)
			return NULL;
		cr->r = r;
		cr->seen_contribs = (size_t)-1;
		r->compiled = cr;
	}
	return r->compiled;
}

static void replay(fl_session *s, cstate *st, fl_rule *r, const finding *f, int downgrade)
{
	fl_code code = f->code;
	if (downgrade && f->soft)
		code = FL064;
	fl_dg *g = emit_msg(s, st, code, f->span, "rule", r->c.name, f->msg);
	if (g && f->help)
		fl_diag_help(&s->diags, g, "%s", f->help);
	if (g && code == FL064)
		fl_diag_note(&s->diags, g, FL_NOSPAN, "the rule is skipped ('skip-if-unknown-filter: true')");
}

static int rule_depends_dirty(const fl_crule *cr)
{
	for (size_t i = 0; i < cr->refs.n; i++)
		if (cr->refs.v[i]->dirty)
			return 1;
	return 0;
}

/* 1 when the event types compiled rule cr can match are the ones Falco
 * indexes it by: a syscall rule that compiled. */
static int rule_typed(const fl_crule *cr)
{
	return cr->ok && cr->slot == FL_SRC_SYSCALL;
}

/* Compiles one rule the way compile_rule_infos does; when its final
 * condition parsed (cr->parsed), *text and *ast are that text and tree,
 * in the scratch arena or kept (cr->kept), and when it compiled (cr->ok),
 * *evts_out the event types it can match. */
static int compile_rule(fl_session *s, cstate *st, fl_rule *r, fl_crule *cr, fl_text *text_out,
			const fl_expr **ast_out, fl_evtset *evts_out)
{
	const char *source = r->source ? r->source : "syscall";
	cr->slot = (int8_t)fl_compile_slot(source);
	cr->ok = 0;
	cr->dropped = 0;
	cr->unresolved = 0;
	cr->tree = NULL;
	cr->parsed = 0;
	cr->refs.n = 0;
	cr->kept = NULL;
	/* The texts and the tree are scratch: later stages that need them
	 * build them again (fl_compile_rule_cond), one rule at a time,
	 * rather than every rule's staying in the session arena. */
	fl_arena *ta = tmp_arena(st);
	if (!ta)
		return FL_ENOMEM;
	/* 1. exception clauses */
	fl_text text = r->cond;
	int rc = build_rule_text(s, st, r, ta, 1, &text);
	if (rc < 0)
		return FL_ENOMEM;
	if (rc)
		return 0;
	/* 2. output */
	int soft = 0;
	rc = check_output(s, st, r, &soft);
	if (rc < 0)
		return FL_ENOMEM;
	if (rc) {
		if (soft && r->skip_if_unknown_filter) {
			cr->dropped = 1;
		}
		return 0;
	}
	/* 3. lists, parse */
	uint32_t *used;
	size_t nused;
	fl_text ctext;
	rc = subst_lists(s, st, ta, &text, &ctext, &used, &nused);
	TRYM(rc);
	cr->lists_used = used;
	cr->nlists_used = (uint32_t)nused;
	fl_span fallback = r->cond_def.span;
	if (rc) {
		too_long(s, st, rc, text_span(&r->cond, 0, r->cond.len, fallback), "rule",
			 r->c.name);
		return st->oom ? FL_ENOMEM : 0;
	}
	/* A condition this large is kept with its tree: building and
	 * parsing it again for the checks and the evaluator took longer than
	 * the compile itself (a list of a million items), and its memory is
	 * one rule's, which the input already pays for many times over. */
	int keep = ctext.len >= KEEP_COND_MIN;
	if (keep && fl_text_copy(s->arena, &ctext, &ctext))
		TRYM(-1);
	const fl_expr *ast = parse_cond(s, st, keep ? s->arena : ta, &ctext, &r->cond, "rule",
					r->c.name, fallback);
	if (st->oom)
		return FL_ENOMEM;
	if (!ast)
		return 0;
	cr->parsed = 1;
	*text_out = ctext;
	*ast_out = ast;
	if (keep) {
		if (!(cr->kept = fl_arena_alloc(s->arena, sizeof *cr->kept)))
			TRYM(-1);
		cr->kept->text = ctext;
		cr->kept->ast = ast;
	}
	/* 4. macros (rules see every macro) */
	rc = resolve_refs(s, st, ast, &ctext, UINT32_MAX, &cr->refs, "rule", r->c.name,
			  fallback, 1);
	if (rc < 0)
		return rc;
	if (rc) {
		cr->unresolved = 1;
		return 0;
	}
	for (size_t i = 0; i < cr->refs.n; i++)
		if (cr->refs.v[i]->bad)
			return 0;  /* the macro's own error was reported */
	/* 5-7. warnings, compile, compiler warnings, event types */
	TRYM(macros_memo(s, st, cr->slot, source));
	findings warn = {0}, err = {0}, cwarn = {0};
	ctx c = {s, st, source, cr->slot, &ctext, fallback, &warn, &err, &cwarn, "rule",
		 r->c.name, ta, ta};
	int bad = 0;
	if (build(&c, ast, 0, NULL, &bad))
		return FL_ENOMEM;
	/* warning pass: deprecated fields once per field, <NA> once per rule */
	int na = 0;
	for (size_t i = 0; i < warn.n; i++) {
		const finding *f = &warn.v[i];
		if (f->code == FL065) {
			if (na++)
				continue;
		} else if (f->depfield) {
			size_t k;
			for (k = 0; k < i; k++)
				if (warn.v[k].depfield && !strcmp(warn.v[k].depfield, f->depfield))
					break;
			if (k < i)
				continue;
		}
		replay(s, st, r, f, 0);
	}
	if (bad || err.n) {
		int all_soft = err.n > 0;
		for (size_t i = 0; i < err.n; i++)
			all_soft &= err.v[i].soft;
		int down = r->skip_if_unknown_filter && all_soft;
		/* Falco reports the first failure only; report each distinct one */
		for (size_t i = 0; i < err.n; i++)
			replay(s, st, r, &err.v[i], down);
		if (down)
			cr->dropped = 1;
		return 0;
	}
	for (size_t i = 0; i < cwarn.n; i++)
		replay(s, st, r, &cwarn.v[i], 0);
	fl_evtset evts;
	evt_of(&c, ast, 0, 0, &evts);
	cr->ok = 1;
	*evts_out = evts;
	/* event types (syscall rules) */
	if (cr->slot == FL_SRC_SYSCALL && r->warn_evttypes) {
		size_t nc = fl_evtset_ncodes(&evts);
		if (nc > FL_EVTTYPE_WARN_CODES) {
			fl_dg *g = emit(s, st, FL071, fl_item_name_span(&r->c), "rule", r->c.name,
					"rule '%s' matches too many event types (%zu event codes): it runs on every event",
					r->c.name, nc);
			if (g)
				fl_diag_help(&s->diags, g,
					     "restrict it with 'evt.type in (...)', or set 'warn_evttypes: false'");
		} else if (fl_evtset_empty(&evts) &&
			   fl_version_cmp(st->target, FL_VERSION_MAKE(0, 44, 1)) <= 0) {
			emit(s, st, FL072, fl_item_name_span(&r->c), "rule", r->c.name,
			     "rule '%s' matches no event type: it can never trigger", r->c.name);
		}
	}
	return 0;
}

/* ---- the stage -------------------------------------------------------- */

/* fl_compile_file's work; the caller drops the scratch arena after it. */
static int compile_file(fl_session *s, cstate *st, const fl_source *src, fl_rule_sink sink,
			void *sink_ctx)
{
	fl_ruleset *rs = s->rs;
	/* Falco compiles only when reading the file succeeded. */
	for (size_t i = rs->files.n; i-- > 0;) {
		if (rs->files.v[i].src == src->id) {
			if (rs->files.v[i].read_failed)
				return 0;
			break;
		}
	}
	st->epoch++;
	int nl = compile_lists(s, st);
	if (nl < 0)
		return FL_ENOMEM;
	int mc = macros_parse(s, st, nl > 0);
	if (mc < 0)
		return FL_ENOMEM;
	int new_macro = 0;
	for (size_t i = 0; i < rs->macros.n; i++)
		if (!rs->macros.v[i]->compiled || ((fl_cmacro *)rs->macros.v[i]->compiled)->dirty)
			new_macro = 1;
	if (mc || new_macro || !st->post.n) {
		int rc = macros_resolve(s, st);
		if (rc < 0)
			return rc;
	}
	/* A macro whose meaning changed (itself or a macro it uses) gets a new
	 * generation: the per-source memos of older generations are stale. */
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_cmacro *cm = rs->macros.v[i]->compiled;
		if (cm->dirty) {
			cm->gen++;
			cm->tree = NULL;  /* rebuilt on demand */
		}
	}
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		if (r->source_unknown)
			continue;
		fl_crule *cr = crule_of(s, r);
		if (!cr)
			return FL_ENOMEM;
		size_t stamp = r->c.contribs.n * 65536u + r->c.base;
		int need = stamp != cr->seen_contribs || (cr->unresolved && (mc || new_macro)) ||
			   rule_depends_dirty(cr) ||
			   (nl > 0 && rule_mentions_changed_list(s, st, r));
		if (!need)
			continue;
		cr->seen_contribs = stamp;
		fl_text text;
		const fl_expr *ast = NULL;
		fl_evtset evts;
		int rc = compile_rule(s, st, r, cr, &text, &ast, &evts);
		st->node_macros.n = 0;  /* the tree goes with the scratch */
		if (rc < 0 || st->oom)
			return FL_ENOMEM;
		if (sink && cr->parsed &&
		    (rc = sink(sink_ctx, i, r, &text, ast, rule_typed(cr) ? &evts : NULL, st->tmp)) < 0)
			return rc;
		tmp_release(st, 0);
	}
	for (size_t i = 0; i < rs->macros.n; i++)
		((fl_cmacro *)rs->macros.v[i]->compiled)->dirty = 0;
	return st->oom ? FL_ENOMEM : 0;
}

/* Compiles what reading `src` changed in the cumulative ruleset, the way
 * Falco recompiles everything after each file; nothing when reading the
 * file failed.  Findings are diagnostics.  `sink`, when not NULL, gets
 * every rule whose final condition this compile parses, right after the
 * rule (the session passes one for the last file: the checks and the
 * evaluator then read the tree the compiler built, instead of building
 * it again).  Returns 0, FL_ENOMEM or the sink's failure. */
int fl_compile_file(fl_session *s, const fl_source *src, fl_rule_sink sink, void *sink_ctx)
{
	if (!s->rs)
		return 0;
	cstate *st = state(s);
	if (!st)
		return FL_ENOMEM;
	int rc = compile_file(s, st, src, sink, sink_ctx);
	tmp_release(st, 1);
	return rc;
}

/* Sets c.used of lists and macros from the last compile; 1 when every
 * condition parsed (so unused macros can be told). */
int fl_compile_mark_used(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	cstate *st = s->compile_state;
	int known = 1;
	if (!rs)
		return 1;
	for (size_t i = 0; i < rs->lists.n; i++)
		rs->lists.v[i]->c.used = st && i < st->lists.n && st->used_by_list[i];
	for (size_t i = 0; i < rs->macros.n; i++)
		rs->macros.v[i]->c.used = 0;
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_cmacro *cm = rs->macros.v[i]->compiled;
		if (!cm)
			continue;
		if (!cm->ast)
			known = 0;
		for (size_t k = 0; k < cm->nlists_used; k++)
			if (cm->lists_used[k] < rs->lists.n)
				rs->lists.v[cm->lists_used[k]]->c.used = 1;
		for (size_t k = 0; k < cm->refs.n; k++)
			cm->refs.v[k]->m->c.used = 1;
	}
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		fl_crule *cr = r->compiled;
		if (r->source_unknown || !cr)
			continue;
		if (!cr->parsed)
			known = 0;
		for (size_t k = 0; k < cr->nlists_used; k++)
			if (cr->lists_used[k] < rs->lists.n)
				rs->lists.v[cr->lists_used[k]]->c.used = 1;
		for (size_t k = 0; k < cr->refs.n; k++)
			cr->refs.v[k]->m->c.used = 1;
	}
	return known;
}

/* ---- compiled trees, on demand ----------------------------------------- */

/* The compiled tree of `ast` (in `t`) for `slot`; findings are dropped
 * into `junk` (the compile reported them).  NULL on OOM. */
static fl_cnode *tree_of(fl_session *s, cstate *st, fl_arena *junk, const char *source,
			 int slot, const fl_text *t, const fl_expr *ast)
{
	findings warn = {0}, err = {0}, cwarn = {0};
	ctx c = {s, st, source, slot, t, FL_NOSPAN, &warn, &err, &cwarn, "", "", junk,
		 s->arena};
	int bad = 0;
	fl_cnode *n = fl_arena_alloc(s->arena, sizeof *n);
	return n && !build(&c, ast, 0, n, &bad) ? n : NULL;
}

/* Rule r's compiled tree, built on the first call (the macros it reaches
 * get theirs for the rule's slot along, each once).  The tree's nodes
 * point into the rule's AST (fl_cnode.ast and the operands), so that AST
 * is parsed into the session arena, to live as long as the tree. */
const fl_cnode *fl_compile_tree(fl_session *s, fl_rule *r)
{
	fl_crule *cr = r->compiled;
	cstate *st = s->compile_state;
	if (!cr || !cr->ok || !cr->parsed || !st)
		return NULL;
	if (cr->tree)
		return cr->tree;
	const char *source = r->source ? r->source : "syscall";
	int slot = cr->slot, oom = st->oom;
	fl_text text;
	const fl_expr *ast = fl_compile_rule_cond(s, cr, s->arena, &text);
	if (!ast)
		return NULL;
	fl_arena *junk = fl_arena_new();
	if (!junk)
		return NULL;
	/* the macros reachable from the rule: an explicit stack, as macro
	 * chains can be long */
	FL_VEC(fl_cmacro *) todo = {0};
	int ok = 1;
	for (size_t i = 0; ok && i < cr->refs.n; i++)
		ok = !FL_VEC_PUSH(junk, todo, cr->refs.v[i]);
	while (ok && todo.n) {
		fl_cmacro *cm = todo.v[--todo.n];
		ok = cm->ast != NULL;  /* always, for a rule that compiled */
		if (!ok)
			break;
		if (!cm->tree && !(cm->tree = fl_arena_alloc(s->arena, FL_CSLOTS * sizeof *cm->tree))) {
			ok = 0;
			break;
		}
		if (cm->tree[slot])
			continue;
		cm->tree[slot] = tree_of(s, st, junk, source, slot, &cm->text, cm->ast);
		ok = cm->tree[slot] != NULL;
		for (size_t i = 0; ok && i < cm->refs.n; i++)
			ok = !FL_VEC_PUSH(junk, todo, cm->refs.v[i]);
	}
	if (ok)
		cr->tree = tree_of(s, st, junk, source, slot, &text, ast);
	fl_arena_free(junk);
	st->oom = oom;  /* a failure here is this call's, not the compile's */
	return cr->tree;
}

/* The compile stage built the same text from the same rule and lists,
 * and parsed it without errors with the session's depth limit: building
 * and parsing it again give the same text and tree. */
const fl_expr *fl_compile_rule_cond(fl_session *s, const fl_crule *cr, fl_arena *a,
				    fl_text *text)
{
	cstate *st = s->compile_state;
	if (!cr || !cr->parsed || !st)
		return NULL;
	if (cr->kept) {
		*text = cr->kept->text;
		return cr->kept->ast;
	}
	fl_text pre;
	if (build_rule_text(s, st, cr->r, a, 0, &pre) != 0)
		return NULL;
	/* no list replaced anything at compile time: the scan for list
	 * names would find nothing again */
	if (!cr->nlists_used)
		*text = pre;
	else if (subst_lists(s, st, a, &pre, text, NULL, NULL) != 0)
		return NULL;
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(a, text->s, text->len, s->opt.limits.max_expr_depth, &errs);
	return e && !errs.n ? e : NULL;
}

int fl_compile_rule_evts(fl_session *s, const fl_crule *cr, const fl_expr *ast,
			 fl_evtset *out)
{
	cstate *st = s->compile_state;
	if (!st || !cr || !ast || !rule_typed(cr))
		return 0;
	/* macro references resolve by name; their memos (compiled with the
	 * rule, unchanged since: else the last compile had compiled it
	 * again) give their sets */
	ctx c = {.s = s, .st = st, .source = "syscall", .slot = cr->slot};
	evt_of(&c, ast, 0, 0, out);
	return 1;
}

/* ---- canonical text with macros inlined -------------------------------- */

/* Node bound for printing: shared macro trees are printed once per
 * reference, so a hostile ruleset can make the text exponential. */
#define CANON_MAX_NODES ((size_t)1 << 20)

/* A macro reference prints as the macro's current condition; a missing or
 * bad macro has no printed form. */
static const fl_expr *canon_macro(void *sess, const fl_expr *ref)
{
	const fl_session *s = sess;
	fl_macro *m = fl_ruleset_macro(s->rs, ref->u.macro.name, ref->u.macro.len);
	const fl_cmacro *cm = m ? m->compiled : NULL;
	return cm && cm->ast && !cm->bad ? cm->ast : NULL;
}

/* Falco's printed form of `e` with macros inlined; NULL on a bad macro. */
char *fl_compile_canon(fl_session *s, const fl_expr *e)
{
	if (!e)
		return NULL;
	return fl_expr_format_with(s->arena, e, FL_EXPR_FMT_FALCO | FL_EXPR_FMT_FOLLOW,
				   CANON_MAX_NODES, canon_macro, s);
}

void fl_compile_reset(fl_session *s)
{
	/* the state lives in the session arena; the scratch arena is
	 * already freed at the end of every fl_compile_file */
	s->compile_state = NULL;
}
