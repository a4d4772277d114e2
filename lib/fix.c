/* fix.c — `falco-lint fix`: for every rule that fires on a benign scenario
 * (FL501), candidate override entries are built from the exemption hooks the
 * rule already has and the scenario's `exempt:` predicates; each is verified
 * by loading the same inputs plus the entry in a new session and evaluating
 * again (eval.h fl_rseval: the compile stage's final conditions, exceptions
 * included), and the narrowest that passes is kept. */
#include "fix.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emit.h"
#include "eval.h"
#include "expr.h"
#include "ruleset.h"
#include "scenario.h"
#include "session.h"
#include "version.h"

#define MACRO_DEPTH 4      /* macros followed while looking for hooks */
#define HOOK_NODES 10000   /* condition nodes visited per rule */
#define EQ_DEPTH 64        /* YAML nesting compared when merging */
#define VERIFY_BUDGET 400  /* candidate sessions per run: each re-loads every input */

/* ---- a small string builder on the arena ------------------------------ */

typedef struct sb {
	fl_arena *a;
	FL_VEC(char) v;
	int oom;
} sb;

static void sb_addn(sb *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !b->oom; i++)
		if (FL_VEC_PUSH(b->a, b->v, s[i]))
			b->oom = 1;
}

static void sb_add(sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* NUL-terminated result, or NULL on OOM. */
static char *sb_str(sb *b, size_t *len)
{
	if (!b->oom && FL_VEC_PUSH(b->a, b->v, '\0'))
		b->oom = 1;
	if (b->oom)
		return NULL;
	if (len)
		*len = b->v.n - 1;
	return b->v.v;
}

static int source_matches(const fl_rule *r, const fl_scenario *sc)
{
	return !strcmp(r->source ? r->source : "syscall", sc->source ? sc->source : "syscall");
}

/* ---- re-loading the same inputs ---------------------------------------- */

static int is_pending(const fl_session *s, const fl_source *src)
{
	for (size_t i = 0; s->scen && i < s->scen->pending.n; i++)
		if (s->scen->pending.v[i] == src)
			return 1;
	return 0;
}

/* A new session over the same sources as `s` (rules files, Helm values and
 * their embedded entries, user scenario files), plus `snippet` as the last
 * rules file; run.  NULL on OOM (*rc set). */
static fl_session *rebuild(fl_session *s, const char *snippet, size_t len, int *rc)
{
	fl_session *n = fl_session_new(&s->opt);
	*rc = FL_ENOMEM;
	if (!n)
		return NULL;
	uint32_t *map = fl_arena_alloc(n->arena, (s->sources.n + 1) * sizeof(*map));
	if (!map)
		goto fail;
	for (size_t i = 0; i < s->sources.n; i++) {
		const fl_source *o = s->sources.v[i];
		int pend = is_pending(s, o);
		map[i] = UINT32_MAX;
		/* the built-in catalogue is added again when the session runs */
		if (o->aux && !pend && !strncmp(o->path, "<builtin>/", 10))
			continue;
		fl_source *c = fl_session_add_source(n, o->path, o->data, o->len, o->context);
		if (!c)
			goto fail;
		map[i] = c->id;
		c->aux = o->aux;
		c->failed = o->failed;
		c->embedded = o->embedded;
		if (o->parent && o->parent->id < i && map[o->parent->id] != UINT32_MAX) {
			c->parent = n->sources.v[map[o->parent->id]];
			c->parent_text = o->parent_text;
		}
		if (pend) {
			fl_scenarios *sc = fl_session_scenarios(n);
			if (!sc || FL_VEC_PUSH(n->arena, sc->pending, c))
				goto fail;
		}
	}
	if (s->scen && s->scen->only && fl_session_only_scenario(n, s->scen->only))
		goto fail;
	if (snippet && fl_session_add_buffer(n, "<falco-lint fix>", snippet, len, 0))
		goto fail;
	if ((*rc = fl_session_run(n)) < 0)
		goto fail;
	*rc = 0;
	return n;
fail:
	fl_session_free(n);
	return NULL;
}

/* ---- verification ------------------------------------------------------- */

/* A malicious event a rule fired on before any fix. */
typedef struct fx_fire {
	const char *rule, *scenario, *event;
	uint32_t ev;
} fx_fire;

typedef struct fx_state {
	FL_VEC(fx_fire) fires;
	FL_VEC(const char *) keys;   /* diagnostics of the unfixed session, sorted */
	const char *accepted;        /* text of the entries kept so far */
	size_t accepted_len;
	fl_session *cur;             /* the session with the entries kept so far */
} fx_state;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Identity of a diagnostic for "did a new one appear": a finding on a
 * benign scenario is identified by rule and scenario (its variant list may
 * shrink), every other one by code, item and message. */
static const char *diag_key(fl_arena *a, const fl_dg *g)
{
	const char *code = fl_checks[g->code].code;
	if (g->code == FL501)
		return fl_arena_printf(a, "%s\x1f%s\x1f%s", code, g->item_name ? g->item_name : "",
				       g->scenario ? g->scenario : "");
	return fl_arena_printf(a, "%s\x1f%s\x1f%s", code, g->item_name ? g->item_name : "", g->msg);
}

static int fires_on(const fl_session *s, const char *rule, const char *scenario)
{
	for (size_t i = 0; i < s->diags.list.n; i++) {
		const fl_dg *g = s->diags.list.v[i];
		if (g->code == FL501 && g->item_name && g->scenario &&
		    !strcmp(g->item_name, rule) && !strcmp(g->scenario, scenario))
			return 1;
	}
	return 0;
}

/* Records what the unfixed session does: malicious events each rule fires
 * on, and its diagnostics. */
static int baseline(fl_fix *f, fx_state *st)
{
	fl_session *s = f->s;
	fl_arena *a = f->a;
	fl_rseval *x;
	int rc = fl_rseval_new(s, &x);
	fl_scenarios *scs = fl_session_scenarios(s);
	for (size_t i = 0; !rc && i < s->rs->rules.n; i++) {
		const fl_rule *r = s->rs->rules.v[i];
		if (!r->enabled || r->source_unknown)
			continue;
		for (size_t j = 0; !rc && scs && j < scs->list.n; j++) {
			const fl_scenario *sc = scs->list.v[j];
			if (sc->kind != FL_SCEN_MALICIOUS || !source_matches(r, sc) || !sc->nevents)
				continue;
			int *tv = fl_arena_alloc(a, sc->nevents * sizeof(*tv));
			if (!tv || (rc = fl_rseval_rule(x, r, sc, tv))) {
				rc = FL_ENOMEM;
				break;
			}
			for (uint32_t k = 0; k < sc->nevents; k++)
				if (tv[k] == FL_TRUE &&
				    FL_VEC_PUSH(a, st->fires, ((fx_fire){r->c.name, sc->name,
									 sc->events[k].name, k})))
					rc = FL_ENOMEM;
		}
	}
	fl_rseval_free(x);
	for (size_t i = 0; !rc && i < s->diags.list.n; i++) {
		const char *k = diag_key(a, s->diags.list.v[i]);
		if (!k || FL_VEC_PUSH(a, st->keys, k))
			rc = FL_ENOMEM;
	}
	if (!rc && st->keys.n)
		qsort(st->keys.v, st->keys.n, sizeof(char *), cmp_str);
	return rc;
}

/* The first diagnostic of `n` that the unfixed session did not have, or
 * NULL.  The deprecation warning of a deliberate legacy entry and the
 * opt-in "may fire" finding are not counted. */
static const fl_dg *new_diag(fl_fix *f, fx_state *st, fl_session *n, int *oom)
{
	fl_arena *a = n->arena;
	FL_VEC(const char *) keys = {0};
	FL_VEC(const fl_dg *) dgs = {0};
	uint32_t snip = (uint32_t)n->sources.n;
	for (size_t i = 0; i < n->sources.n; i++)
		if (!strcmp(n->sources.v[i]->path, "<falco-lint fix>"))
			snip = (uint32_t)i;
	for (size_t i = 0; i < n->diags.list.n; i++) {
		const fl_dg *g = n->diags.list.v[i];
		if (g->code == FL502 || (f->legacy && g->code == FL401 && g->span.src == snip))
			continue;
		const char *k = diag_key(a, g);
		if (!k || FL_VEC_PUSH(a, keys, k) || FL_VEC_PUSH(a, dgs, g)) {
			*oom = 1;
			return NULL;
		}
	}
	/* multiset difference: each key of n must be matched by one of the
	 * baseline's */
	unsigned char *used = fl_arena_alloc(a, st->keys.n + 1);
	if (!used) {
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < keys.n; i++) {
		size_t lo = 0, hi = st->keys.n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(st->keys.v[mid], keys.v[i]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo < st->keys.n && used[lo] && !strcmp(st->keys.v[lo], keys.v[i]))
			lo++;
		if (lo >= st->keys.n || strcmp(st->keys.v[lo], keys.v[i]))
			return dgs.v[i];
		used[lo] = 1;
	}
	return NULL;
}

static const char *event_list(fl_arena *a, const fl_scenario *sc, const int *tv, int want)
{
	const char *l = NULL;
	for (uint32_t i = 0; i < sc->nevents; i++)
		if (tv[i] == want)
			l = l ? fl_arena_printf(a, "%s, %s", l, sc->events[i].name) : sc->events[i].name;
	return l ? l : "";
}

/* Checks session `n` (inputs + candidate): 1 keep, 0 reject (*why), <0. */
static int check_session(fl_fix *f, fx_state *st, fl_session *n, const char *rule,
			 const char *scenario, const char **why)
{
	fl_arena *a = f->a;
	if (!n->rs) {
		*why = "the inputs did not load";
		return 0;
	}
	if (fires_on(n, rule, scenario)) {
		*why = fl_arena_printf(a, "rule '%s' still fires on '%s'", rule, scenario);
		return 0;
	}
	fl_rseval *x;
	int rc = fl_rseval_new(n, &x);
	if (rc)
		return rc;
	const fl_rule *r = fl_ruleset_rule(n->rs, rule, (uint32_t)strlen(rule));
	const fl_scenario *sc = fl_scenarios_find(fl_session_scenarios(n), scenario);
	if (r && sc && r->enabled) {
		int *tv = fl_arena_alloc(n->arena, (sc->nevents + 1) * sizeof(*tv));
		if (!tv || (rc = fl_rseval_rule(x, r, sc, tv)))
			goto out;
		for (uint32_t i = 0; i < sc->nevents; i++)
			if (tv[i] == FL_TRUE || tv[i] == FL_UNKNOWN) {
				*why = fl_arena_printf(a, "rule '%s' %s on '%s' (%s)", rule,
						       tv[i] == FL_TRUE ? "still fires" : "may still fire",
						       scenario, event_list(a, sc, tv, (int)tv[i]));
				goto out;
			}
	}
	for (size_t i = 0; i < st->fires.n; i++) {
		const fx_fire *fi = &st->fires.v[i];
		const fl_rule *mr = fl_ruleset_rule(n->rs, fi->rule, (uint32_t)strlen(fi->rule));
		const fl_scenario *ms = fl_scenarios_find(fl_session_scenarios(n), fi->scenario);
		int *tv = ms ? fl_arena_alloc(n->arena, (ms->nevents + 1) * sizeof(*tv)) : NULL;
		if (ms && !tv) {
			rc = FL_ENOMEM;
			goto out;
		}
		if (mr && ms && mr->enabled && (rc = fl_rseval_rule(x, mr, ms, tv)))
			goto out;
		if (!mr || !ms || !mr->enabled || tv[fi->ev] != FL_TRUE) {
			/* unknown counts as silenced: the fix must not depend on a
			 * field the attacker's event may lack */
			int maybe = mr && ms && mr->enabled && tv[fi->ev] == FL_UNKNOWN;
			*why = fl_arena_printf(a, "%s malicious scenario '%s' (%s) on rule '%s'",
					       maybe ? "may silence" : "silences", fi->scenario,
					       fi->event, fi->rule);
			goto out;
		}
	}
	int oom = 0;
	const fl_dg *g = new_diag(f, st, n, &oom);
	if (oom) {
		rc = FL_ENOMEM;
		goto out;
	}
	if (g) {
		*why = fl_arena_printf(a, "adds diagnostic %s: %s", fl_checks[g->code].code, g->msg);
		goto out;
	}
	rc = 1;
out:
	fl_rseval_free(x);
	return rc;
}

static int verify(fl_fix *f, fx_state *st, const char *rule, const char *scenario,
		  const char *snippet, size_t len, const char **why, fl_session **keep)
{
	int rc;
	fl_session *n = rebuild(f->s, snippet, len, &rc);
	if (!n)
		return rc;
	rc = check_session(f, st, n, rule, scenario, why);
	if (rc == 1 && keep)
		*keep = n;
	else
		fl_session_free(n);
	return rc;
}

/* ---- candidates --------------------------------------------------------- */

typedef struct fx_hook {
	int kind;              /* 'm' macro, 'l' list */
	const char *name;
	const char *field;     /* list: the field tested with `in` */
	const char *arg;
} fx_hook;

typedef FL_VEC(fx_hook) fx_hooks;

static int add_hook(fl_arena *a, fx_hooks *h, int kind, const char *name, const char *field,
		    const char *arg)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].kind == kind && !strcmp(h->v[i].name, name) &&
		    (!field || !strcmp(h->v[i].field, field)))
			return 0;
	return FL_VEC_PUSH(a, *h, ((fx_hook){kind, name, field, arg})) ? FL_ENOMEM : 0;
}

/* The raw (not list-substituted) parse of a macro's condition, or NULL. */
static const fl_expr *raw_parse(fl_session *s, const fl_text *t)
{
	if (!t->s)
		return NULL;
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(s->arena, t->s, t->len, s->opt.limits.max_expr_depth, &errs);
	return e && !errs.n ? e : NULL;
}

/* Walks the rule's condition for exemption hooks: a term whose truth
 * exempts the event (under a `not` in the rule's top-level `and`) that is
 * a macro (append `or (...)`), or a list membership test `F in (L)`
 * (append items).  Macros are followed MACRO_DEPTH levels; the walk uses
 * an explicit stack and visits at most HOOK_NODES nodes. */
static int find_hooks(fl_session *s, const fl_rule *r, fx_hooks *out)
{
	struct w {
		const fl_expr *e;
		int exempting;  /* 1: true exempts; 0: must hold for the rule */
		unsigned depth;
	};
	FL_VEC(struct w) st = {0};
	fl_arena *a = s->arena;
	const fl_expr *root = raw_parse(s, &r->cond);
	if (!root)
		return 0;
	if (FL_VEC_PUSH(a, st, ((struct w){root, 0, 0})))
		return FL_ENOMEM;
	size_t visited = 0;
	while (st.n && visited++ < HOOK_NODES) {
		struct w w = st.v[--st.n];
		const fl_expr *e = w.e;
		/* children are pushed in reverse so they are visited in order */
		if ((e->kind == FL_EXPR_AND && !w.exempting) || (e->kind == FL_EXPR_OR && w.exempting)) {
			for (uint32_t i = e->u.kids.n; i-- > 0;)
				if (FL_VEC_PUSH(a, st, ((struct w){e->u.kids.v[i], w.exempting, w.depth})))
					return FL_ENOMEM;
		} else if (e->kind == FL_EXPR_NOT && !w.exempting) {
			if (FL_VEC_PUSH(a, st, ((struct w){e->u.child, 1, w.depth})))
				return FL_ENOMEM;
		} else if (e->kind == FL_EXPR_MACRO && w.depth < MACRO_DEPTH) {
			const fl_macro *m = fl_ruleset_macro(s->rs, e->u.macro.name, e->u.macro.len);
			if (!m)
				continue;
			if (w.exempting && add_hook(a, out, 'm', m->c.name, NULL, NULL))
				return FL_ENOMEM;
			const fl_expr *mr = raw_parse(s, &m->cond);
			if (mr && FL_VEC_PUSH(a, st, ((struct w){mr, w.exempting, w.depth + 1})))
				return FL_ENOMEM;
		} else if (e->kind == FL_EXPR_CHECK && w.exempting && e->u.check.op == FL_OP_IN &&
			   e->u.check.mod == FL_MOD_NONE && e->u.check.lhs->kind == FL_OPERAND_FIELD &&
			   e->u.check.rhs && e->u.check.rhs->kind == FL_OPERAND_LIST) {
			const fl_operand *l = e->u.check.rhs, *f = e->u.check.lhs;
			for (uint32_t i = 0; i < fl_operand_nitems(l); i++) {
				const fl_operand *it = fl_operand_item(l, i);
				if (it->kind != FL_OPERAND_VALUE || it->quoted ||
				    !fl_ruleset_list(s->rs, it->text, it->len))
					continue;
				const fl_operand *fa = fl_operand_arg(f);
				const char *arg = fa ? fl_arena_strndup(a, fa->text, fa->len) : NULL;
				if (add_hook(a, out, 'l', fl_arena_strndup(a, it->text, it->len),
					     fl_arena_strndup(a, f->text, f->len), arg))
					return FL_ENOMEM;
			}
		}
	}
	return 0;
}

/* Items are strings to Falco; quote the ones YAML would read as something
 * else, so the file says what it means. */
static fl_ystyle item_style(const char *s)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
	if (!*s || strchr("0123456789+-.", s[0]))
		return FL_YS_DOUBLE;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcasecmp(s, words[i]))
			return FL_YS_DOUBLE;
	return FL_YS_PLAIN;
}

static fl_ynode *flow_seq(fl_arena *a)
{
	return fl_ynew_seq(a, FL_YS_FLOW);
}

/* { KEY: NAME, …, override: {WHAT: append} } or, for old targets,
 * { …, append: true }. */
static int finish_entry(fl_fix *f, fl_ynode *m, const char *what)
{
	fl_arena *a = f->a;
	if (f->legacy)
		return fl_ymap_put(a, m, "append", fl_ynew_scalar(a, "true", FL_YS_PLAIN));
	fl_ynode *ov = fl_ynew_map(a, FL_YS_BLOCK);
	if (!ov || fl_ymap_put(a, ov, what, fl_ynew_scalar(a, "append", FL_YS_PLAIN)))
		return FL_ENOMEM;
	return fl_ymap_put(a, m, "override", ov);
}

static fl_ynode *macro_entry(fl_fix *f, const char *macro, const char *cond)
{
	fl_arena *a = f->a;
	fl_ynode *m = fl_ynew_map(a, FL_YS_BLOCK);
	if (!m || fl_ymap_put(a, m, "macro", fl_ynew_scalar(a, macro, FL_YS_PLAIN)) ||
	    fl_ymap_put(a, m, "condition", fl_ynew_scalar(a, cond, FL_YS_PLAIN)) ||
	    finish_entry(f, m, "condition"))
		return NULL;
	return m;
}

static fl_ynode *list_entry(fl_fix *f, const char *list, const char *const *items, size_t n)
{
	fl_arena *a = f->a;
	fl_ynode *m = fl_ynew_map(a, FL_YS_BLOCK), *seq = flow_seq(a);
	if (!m || !seq)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (fl_yseq_push(a, seq, fl_ynew_scalar(a, items[i], item_style(items[i]))))
			return NULL;
	if (fl_ymap_put(a, m, "list", fl_ynew_scalar(a, list, FL_YS_PLAIN)) ||
	    fl_ymap_put(a, m, "items", seq) || finish_entry(f, m, "items"))
		return NULL;
	return m;
}

/* An exceptions entry on `rule`: a new exception {name, fields, comps,
 * values: [tuple]} or, with fields NULL, values appended to an existing
 * exception `name`. */
static fl_ynode *exception_entry(fl_fix *f, const char *rule, const char *name,
				 fl_ynode *fields, fl_ynode *comps, fl_ynode *tuples)
{
	fl_arena *a = f->a;
	fl_ynode *m = fl_ynew_map(a, FL_YS_BLOCK), *seq = fl_ynew_seq(a, FL_YS_BLOCK);
	fl_ynode *x = fl_ynew_map(a, FL_YS_BLOCK);
	if (!m || !seq || !x || fl_ymap_put(a, x, "name", fl_ynew_scalar(a, name, FL_YS_PLAIN)))
		return NULL;
	if (fields && (fl_ymap_put(a, x, "fields", fields) || fl_ymap_put(a, x, "comps", comps)))
		return NULL;
	if (fl_ymap_put(a, x, "values", tuples) || fl_yseq_push(a, seq, x) ||
	    fl_ymap_put(a, m, "rule", fl_ynew_scalar(a, rule, FL_YS_PLAIN)) ||
	    fl_ymap_put(a, m, "exceptions", seq) || finish_entry(f, m, "exceptions"))
		return NULL;
	return m;
}

/* 1 when Falco's exception text carries value `s` unchanged: it quotes a
 * value with a blank in double quotes and escapes nothing. */
static int exc_value_ok(const char *s)
{
	if (!*s || strchr(s, '"') || s[0] == '\'')
		return 0;
	if (strchr(s, ' '))
		return 1;
	return !strpbrk(s, "(),'=\t\n");
}

/* The operand's value as an exception value node: a list becomes a flow
 * sequence of its items, a value a scalar; NULL when it has no literal
 * form (a field, a transformer, a list name). */
static fl_ynode *operand_node(fl_arena *a, const fl_operand *o)
{
	if (o->kind == FL_OPERAND_VALUE)
		return fl_ynew_scalar(a, o->text, item_style(o->text));
	if (o->kind != FL_OPERAND_LIST)
		return NULL;
	fl_ynode *s = flow_seq(a);
	for (uint32_t i = 0; s && i < fl_operand_nitems(o); i++) {
		const fl_operand *it = fl_operand_item(o, i);
		if (it->kind != FL_OPERAND_VALUE)
			return NULL;
		if (!exc_value_ok(it->text))
			return NULL;
		if (fl_yseq_push(a, s, fl_ynew_scalar(a, it->text, item_style(it->text))))
			return NULL;
	}
	return s;
}

/* Converts an exempt predicate made of `F op V` checks joined by `and`
 * into exception fields/comps/values; 0 when it has another shape. */
static int predicate_exception(fl_arena *a, const char *cond, fl_ynode **fields,
			       fl_ynode **comps, fl_ynode **tuples)
{
	fl_expr_errors errs = {0};
	const fl_expr *e = fl_expr_parse(a, cond, (uint32_t)strlen(cond), 0, &errs);
	if (!e || errs.n)
		return 0;
	const fl_expr *const *terms = (const fl_expr *const *)&e;
	uint32_t n = 1;
	if (e->kind == FL_EXPR_AND) {
		terms = (const fl_expr *const *)e->u.kids.v;
		n = e->u.kids.n;
	}
	fl_ynode *fs = flow_seq(a), *cs = flow_seq(a), *tu = flow_seq(a);
	fl_ynode *vs = fl_ynew_seq(a, FL_YS_BLOCK);
	if (!fs || !cs || !tu || !vs)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const fl_expr *t = terms[i];
		if (t->kind != FL_EXPR_CHECK || !t->u.check.rhs || t->u.check.mod != FL_MOD_NONE ||
		    t->u.check.lhs->kind != FL_OPERAND_FIELD)
			return 0;
		const fl_operand *l = t->u.check.lhs;
		fl_ynode *v = operand_node(a, t->u.check.rhs);
		if (!v || (v->kind == FL_Y_SCALAR && !exc_value_ok(v->str)))
			return 0;
		const fl_operand *arg = fl_operand_arg(l);
		const char *fname = arg ? fl_arena_printf(a, "%s[%.*s]", l->text,
							  (int)arg->len, arg->text)
					: l->text;
		if (fl_yseq_push(a, fs, fl_ynew_scalar(a, fname, FL_YS_PLAIN)) ||
		    fl_yseq_push(a, cs, fl_ynew_scalar(a, fl_op_text(t->u.check.op), FL_YS_PLAIN)) ||
		    fl_yseq_push(a, tu, v))
			return 0;
	}
	if (fl_yseq_push(a, vs, tu))
		return 0;
	*fields = fs;
	*comps = cs;
	*tuples = vs;
	return 1;
}

/* The string value event `ev` gives `field`, or NULL. */
static const char *event_str(fl_arena *a, const fl_sevent *ev, const char *field, const char *arg)
{
	const fl_sfield *sf = fl_sevent_field(ev, field, arg);
	if (!sf)
		return NULL;
	switch (sf->value.kind) {
	case FL_V_STR:
	case FL_V_INT:
	case FL_V_UINT:
		return sf->value.s ? fl_arena_strndup(a, sf->value.s, sf->value.len) : NULL;
	default:
		return NULL;
	}
}

typedef struct fx_cand {
	fl_ynode *node;
	const char *kind, *target, *what;
} fx_cand;

typedef FL_VEC(fx_cand) fx_cands;

static int push_cand(fl_arena *a, fx_cands *c, fl_ynode *n, const char *kind,
		     const char *target, const char *what)
{
	if (!n)
		return FL_ENOMEM;
	return FL_VEC_PUSH(a, *c, ((fx_cand){n, kind, target, what})) ? FL_ENOMEM : 0;
}

/* A name for a new exception: the scenario's, as an identifier. */
static const char *exception_name(fl_arena *a, const fl_rule *r, const char *scenario)
{
	char *n = fl_arena_printf(a, "falco_lint_%s", scenario);
	if (!n)
		return NULL;
	for (char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			*p = '_';
	for (int k = 2; k < 100; k++) {
		int taken = 0;
		for (size_t i = 0; i < r->exceptions.n; i++)
			if (!strcmp(r->exceptions.v[i].name, n))
				taken = 1;
		if (!taken)
			return n;
		n = fl_arena_printf(a, "falco_lint_%s_%d", scenario, k);
		if (!n)
			return NULL;
	}
	return n;
}

/* Candidates for rule `r` firing on benign scenario `sc`, narrowest first:
 * the scenario's exempt predicates appended to an exemption macro, then as
 * a new exception of the rule, then the event values of a list-tested
 * field appended to the list, then event values appended to an existing
 * exception. */
static int candidates(fl_fix *f, const fl_rule *r, const fl_scenario *sc, unsigned drv,
		      fx_cands *out)
{
	fl_arena *a = f->a;
	fl_session *s = f->s;
	fx_hooks hooks = {0};
	int rc = find_hooks(s, r, &hooks);
	if (rc)
		return rc;
	for (size_t h = 0; h < hooks.n; h++) {
		if (hooks.v[h].kind != 'm')
			continue;
		const fl_macro *m = fl_ruleset_macro(s->rs, hooks.v[h].name,
						     (uint32_t)strlen(hooks.v[h].name));
		if (!m || !fl_fix_append_safe(a, m->cond.s, m->cond.len, "or"))
			continue;
		for (uint32_t i = 0; i < sc->nexempt; i++) {
			const char *c = fl_arena_printf(a, "or (%s)", sc->exempt[i].cond);
			if ((rc = push_cand(a, out, macro_entry(f, m->c.name, c), "macro", m->c.name,
					    "condition append of an exempt predicate")))
				return rc;
		}
		if (sc->nexempt > 1) {
			sb b = {.a = a};
			for (uint32_t i = 0; i < sc->nexempt; i++) {
				sb_add(&b, i ? " or (" : "or (");
				sb_add(&b, sc->exempt[i].cond);
				sb_add(&b, ")");
			}
			const char *c = sb_str(&b, NULL);
			if (!c || (rc = push_cand(a, out, macro_entry(f, m->c.name, c), "macro",
						  m->c.name, "condition append of every exempt predicate")))
				return rc ? rc : FL_ENOMEM;
		}
	}
	for (uint32_t i = 0; i < sc->nexempt; i++) {
		fl_ynode *fs, *cs, *vs;
		if (!predicate_exception(a, sc->exempt[i].cond, &fs, &cs, &vs))
			continue;
		const char *name = exception_name(a, r, sc->name);
		if (!name || (rc = push_cand(a, out, exception_entry(f, r->c.name, name, fs, cs, vs),
					     "rule", r->c.name, "new exception from an exempt predicate")))
			return rc ? rc : FL_ENOMEM;
	}
	for (size_t h = 0; h < hooks.n; h++) {
		if (hooks.v[h].kind != 'l')
			continue;
		FL_VEC(const char *) vals = {0};
		for (uint32_t e = 0; e < sc->nevents; e++) {
			if (!fl_sevent_has_driver(&sc->events[e], drv))
				continue;
			const char *v = event_str(a, &sc->events[e], hooks.v[h].field, hooks.v[h].arg);
			int dup = !v;
			for (size_t k = 0; v && k < vals.n; k++)
				dup |= !strcmp(vals.v[k], v);
			if (!dup && FL_VEC_PUSH(a, vals, v))
				return FL_ENOMEM;
		}
		if (vals.n && (rc = push_cand(a, out, list_entry(f, hooks.v[h].name, vals.v, vals.n),
					      "list", hooks.v[h].name,
					      fl_arena_printf(a, "items append of the scenario's %s values",
							      hooks.v[h].field))))
			return rc;
	}
	for (size_t i = 0; i < r->exceptions.n; i++) {
		const fl_exception *ex = &r->exceptions.v[i];
		fl_exc_nodes x;
		if (fl_exception_nodes(a, ex, s->sources.v, s->sources.n, &x))
			return FL_ENOMEM;
		const fl_ynode *fl = x.fields;
		if (!fl || (fl->kind == FL_Y_SEQ && (!fl->n || (x.comps && x.comps->kind != FL_Y_SEQ))))
			continue;
		fl_ynode *vs = fl_ynew_seq(a, FL_YS_BLOCK);
		if (!vs)
			return FL_ENOMEM;
		for (uint32_t e = 0; e < sc->nevents; e++) {
			if (!fl_sevent_has_driver(&sc->events[e], drv))
				continue;
			fl_ynode *tu = fl->kind == FL_Y_SEQ ? flow_seq(a) : NULL;
			int ok = 1;
			uint32_t nf = fl->kind == FL_Y_SEQ ? fl->n : 1;
			fl_ynode *one = NULL;
			for (uint32_t k = 0; k < nf && ok; k++) {
				const fl_ynode *fk = fl->kind == FL_Y_SEQ ? fl->kids[k] : fl;
				if (fk->kind != FL_Y_SCALAR) {
					ok = 0;
					break;
				}
				/* field[arg] */
				const char *br = strchr(fk->str, '[');
				const char *fname = br ? fl_arena_strndup(a, fk->str, (size_t)(br - fk->str))
						       : fk->str;
				const char *arg = NULL;
				if (br && fk->str[fk->len - 1] == ']')
					arg = fl_arena_strndup(a, br + 1, fk->len - (size_t)(br - fk->str) - 2);
				const char *v = fname ? event_str(a, &sc->events[e], fname, arg) : NULL;
				if (!v || !exc_value_ok(v)) {
					ok = 0;
					break;
				}
				one = fl_ynew_scalar(a, v, item_style(v));
				if (tu && fl_yseq_push(a, tu, one))
					return FL_ENOMEM;
			}
			if (ok && fl_yseq_push(a, vs, tu ? tu : one))
				return FL_ENOMEM;
		}
		if (vs->n && (rc = push_cand(a, out, exception_entry(f, r->c.name, ex->name, NULL, NULL, vs),
					     "rule", r->c.name,
					     fl_arena_printf(a, "values append to exception '%s'",
							     ex->name))))
			return rc;
	}
	return 0;
}

/* ---- public entry points ------------------------------------------------ */

int fl_fix_append_safe(fl_arena *a, const char *base, size_t len, const char *op)
{
	if (!base)
		return 0;
	if (!strcmp(op, "or"))
		return 1;  /* `and` and `not` bind tighter: (base) or (X) always */
	fl_expr_errors errs = {0};
	const fl_expr *e = fl_expr_parse(a, base, (uint32_t)len, 0, &errs);
	if (!e || errs.n)
		return 0;
	/* `a or b and (X)` groups as a or (b and X): only a base whose top
	 * level is not an unparenthesised `or` keeps its meaning */
	return !(e->kind == FL_EXPR_OR && e->parens == 0);
}

static const char *clean(fl_arena *a, const char *s)
{
	char *c = fl_arena_strdup(a, s ? s : "");
	for (char *p = c; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

char *fl_fix_entries_text(fl_fix *f, size_t *len)
{
	sb b = {.a = f->a};
	int first = 1;
	for (size_t i = 0; i < f->entries.n; i++) {
		const fl_fix_entry *e = &f->entries.v[i];
		if (e->skip)
			continue;
		if (!first)
			sb_add(&b, "\n");
		first = 0;
		for (size_t k = 0; k < e->fixes.n; k++) {
			sb_add(&b, "# falco-lint fix: ");
			sb_add(&b, e->fixes.v[k]);
			sb_add(&b, "\n");
		}
		sb_add(&b, e->text);
	}
	return sb_str(&b, len);
}

/* Entry text: the map emitted as a one-item sequence ("- list: …"). */
static int emit_entry(fl_arena *a, fl_ynode *node, char **text, size_t *len)
{
	fl_ynode *seq = fl_ynew_seq(a, FL_YS_BLOCK);
	if (!seq || fl_yseq_push(a, seq, node))
		return FL_ENOMEM;
	return fl_yaml_emit(a, seq, text, len);
}

static int decide_legacy(fl_session *s)
{
	fl_version t;
	if (s->opt.target_falco) {
		if (fl_version_parse(s->opt.target_falco, strlen(s->opt.target_falco), &t))
			return 0;
		return !fl_feature_supported(FL_FEAT_OVERRIDE, t);
	}
	if (s->rs && s->rs->has_req_engine) {
		fl_version req = {s->rs->req_engine[0], s->rs->req_engine[1], s->rs->req_engine[2]};
		const fl_release *rel = fl_release_for_engine(req);
		return rel && !fl_feature_supported(FL_FEAT_OVERRIDE, rel->falco);
	}
	return 0;
}

typedef struct fx_finding {
	const char *rule, *scenario;
	int done;
} fx_finding;

static int log_add(fl_fix *f, const char *msg)
{
	return !msg || FL_VEC_PUSH(f->a, f->log, msg) ? FL_ENOMEM : 0;
}

int fl_fix_run(fl_session *s, const fl_fix_options *o, fl_fix **out)
{
	*out = NULL;
	if (!s->ran)
		return FL_EUSAGE;
	fl_arena *a = s->arena;
	fl_fix *f = fl_arena_alloc(a, sizeof(*f));
	fx_state *st = fl_arena_alloc(a, sizeof(*st));
	if (!f || !st)
		return FL_ENOMEM;
	f->s = s;
	f->a = a;
	f->state = st;
	if (o)
		f->o = *o;
	f->out = "";
	*out = f;
	if (!s->rs)
		return 0;
	f->legacy = decide_legacy(s);
	unsigned drv = 0;
	if (s->opt.driver && fl_driver_parse(s->opt.driver, &drv))
		drv = 0;

	FL_VEC(fx_finding) finds = {0};
	for (size_t i = 0; i < s->diags.list.n; i++) {
		const fl_dg *g = s->diags.list.v[i];
		if (g->code != FL501 || !g->item_name || !g->scenario)
			continue;
		if (f->o.only && fnmatch(f->o.only, g->scenario, 0) != 0)
			continue;
		int dup = 0;
		for (size_t k = 0; k < finds.n; k++)
			dup |= !strcmp(finds.v[k].rule, g->item_name) &&
			       !strcmp(finds.v[k].scenario, g->scenario);
		if (!dup && FL_VEC_PUSH(a, finds, ((fx_finding){g->item_name, g->scenario, 0})))
			return FL_ENOMEM;
	}
	if (!finds.n)
		return 0;
	int rc = baseline(f, st);
	if (rc)
		return rc;
	st->accepted = "";
	size_t budget = VERIFY_BUDGET;
	for (size_t i = 0; i < finds.n; i++) {
		fx_finding *fd = &finds.v[i];
		if (fd->done)
			continue;
		const fl_rule *r = fl_ruleset_rule(s->rs, fd->rule, (uint32_t)strlen(fd->rule));
		const fl_scenario *sc = fl_scenarios_find(fl_session_scenarios(s), fd->scenario);
		if (!r || !sc)
			continue;
		fx_cands cands = {0};
		if ((rc = candidates(f, r, sc, drv, &cands)))
			goto out;
		int kept = 0;
		for (size_t c = 0; c < cands.n && !kept && budget; c++, budget--) {
			char *text;
			size_t tlen;
			if ((rc = emit_entry(a, cands.v[c].node, &text, &tlen)))
				goto out;
			sb b = {.a = a};
			sb_addn(&b, st->accepted, st->accepted_len);
			if (st->accepted_len)
				sb_add(&b, "\n");
			sb_add(&b, "# falco-lint fix: candidate\n");
			sb_addn(&b, text, tlen);
			size_t slen;
			const char *snip = sb_str(&b, &slen);
			if (!snip) {
				rc = FL_ENOMEM;
				goto out;
			}
			const char *why = NULL;
			fl_session *n = NULL;
			rc = verify(f, st, fd->rule, fd->scenario, snip, slen, &why, &n);
			if (rc < 0)
				goto out;
			const char *head = fl_arena_printf(a, "rule '%s', scenario '%s': %s '%s', %s",
							   fd->rule, fd->scenario, cands.v[c].kind,
							   cands.v[c].target, cands.v[c].what);
			if (rc == 0) {
				if ((rc = log_add(f, fl_arena_printf(a, "%s: rejected: %s", head, why))))
					goto out;
				continue;
			}
			if ((rc = log_add(f, fl_arena_printf(a, "%s: kept", head))))
				goto out;
			kept = 1;
			fl_fix_entry e = {cands.v[c].kind, cands.v[c].target, cands.v[c].node, text, {0}, 0};
			/* every finding this entry silences is named above it */
			for (size_t k = i; k < finds.n; k++) {
				if (finds.v[k].done || fires_on(n, finds.v[k].rule, finds.v[k].scenario))
					continue;
				if (k != i && st->cur && !fires_on(st->cur, finds.v[k].rule, finds.v[k].scenario))
					continue;
				finds.v[k].done = 1;
				const char *msg = fl_arena_printf(a, "rule '%s' fires on benign scenario '%s' [FL501]",
								  clean(a, finds.v[k].rule), clean(a, finds.v[k].scenario));
				if (!msg || FL_VEC_PUSH(a, e.fixes, msg)) {
					rc = FL_ENOMEM;
					goto out;
				}
			}
			if (FL_VEC_PUSH(a, f->entries, e)) {
				rc = FL_ENOMEM;
				goto out;
			}
			fl_session_free(st->cur);
			st->cur = n;
			size_t alen;
			const char *acc = fl_fix_entries_text(f, &alen);
			if (!acc) {
				rc = FL_ENOMEM;
				goto out;
			}
			st->accepted = acc;
			st->accepted_len = alen;
		}
		if (!kept) {
			const char *msg = budget
				? fl_arena_printf(a, "no verified fix for rule '%s' on benign scenario '%s' (%zu candidate%s tried)",
						  fd->rule, fd->scenario, cands.n, cands.n == 1 ? "" : "s")
				: fl_arena_printf(a, "no verified fix for rule '%s' on benign scenario '%s': "
						  "the run tried %d candidates already", fd->rule, fd->scenario,
						  VERIFY_BUDGET);
			if (!msg || FL_VEC_PUSH(a, f->unfixed, msg)) {
				rc = FL_ENOMEM;
				goto out;
			}
		}
	}
	rc = 0;
	if (f->entries.n) {
		size_t len;
		char *text = fl_fix_entries_text(f, &len);
		if (!text) {
			rc = FL_ENOMEM;
			goto out;
		}
		f->out = text;
		f->outlen = len;
		if (f->o.helm) {
			const char *entry = f->o.helm_entry ? f->o.helm_entry : "falco-lint-fixes.yaml";
			if ((rc = fl_helm_entry_text(f, entry, text, &f->out, &f->outlen)))
				goto out;
		}
	}
out:
	fl_session_free(st->cur);
	st->cur = NULL;
	return rc;
}

int fl_fix_verify(fl_fix *f, const char *rule, const char *scenario,
		  const char *snippet, size_t len, const char **why)
{
	fx_state *st = f->state;
	if (!st->keys.n && !st->fires.n) {
		int rc = baseline(f, st);
		if (rc)
			return rc;
	}
	*why = NULL;
	return verify(f, st, rule, scenario, snippet, len, why, NULL);
}

const char *fl_fix_text(const fl_fix *f, size_t *len)
{
	if (len)
		*len = f->outlen;
	return f->out;
}

size_t fl_fix_nentries(const fl_fix *f)
{
	return f->entries.n;
}

size_t fl_fix_nunfixed(const fl_fix *f)
{
	return f->unfixed.n;
}

const char *fl_fix_unfixed(const fl_fix *f, size_t i)
{
	return i < f->unfixed.n ? f->unfixed.v[i] : NULL;
}

size_t fl_fix_nlog(const fl_fix *f)
{
	return f->log.n;
}

const char *fl_fix_log(const fl_fix *f, size_t i)
{
	return i < f->log.n ? f->log.v[i] : NULL;
}

/* ---- merging into an existing file -------------------------------------- */

int fl_fix_parse_yaml(fl_arena *a, const char *name, const char *data, size_t len,
		      fl_ynode **root, const char **err)
{
	*root = NULL;
	fl_source *src = fl_source_new(a, 0, name, data, len);
	if (!src)
		return FL_ENOMEM;
	fl_diags d = {.arena = a};
	fl_ylimits lim = {256, UINT32_MAX, 10000};
	fl_ydoc *docs = NULL;
	uint32_t ndocs = 0;
	int rc = fl_yaml_parse(a, src, &lim, &d, &docs, &ndocs);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		unsigned line = 0, col = 0;
		const fl_dg *g = d.list.n ? d.list.v[0] : NULL;
		if (g)
			fl_source_linecol(src, g->span.start, &line, &col);
		*err = fl_arena_printf(a, "%s:%u:%u: %s", name, line, col, g ? g->msg : "not valid YAML");
		return FL_EUSAGE;
	}
	if (ndocs > 1) {
		*err = fl_arena_printf(a, "%s: cannot merge into a file of several YAML documents", name);
		return FL_EUSAGE;
	}
	*root = ndocs ? docs[0].root : NULL;
	return 0;
}

int fl_ynode_equal(const fl_ynode *x, const fl_ynode *y, unsigned depth)
{
	if (!x || !y || x->kind != y->kind || x->n != y->n || depth == 0)
		return 0;
	if (x->kind == FL_Y_SCALAR)
		return x->len == y->len && !memcmp(x->str, y->str, x->len);
	if (x->kind == FL_Y_SEQ) {
		for (uint32_t i = 0; i < x->n; i++)
			if (!fl_ynode_equal(x->kids[i], y->kids[i], depth - 1))
				return 0;
		return 1;
	}
	for (uint32_t i = 0; i < x->n; i++) {
		const fl_ynode *k = FL_YKEY(x, i);
		if (k->kind != FL_Y_SCALAR)
			return 0;
		const fl_ynode *v = fl_ymap_get(y, k->str, NULL);
		if (!v || !fl_ynode_equal(FL_YVAL(x, i), v, depth - 1))
			return 0;
	}
	return 1;
}

void fl_fix_mark_present(fl_fix *f, fl_ynode *const *items, uint32_t n)
{
	for (size_t i = 0; i < f->entries.n; i++)
		for (uint32_t k = 0; k < n && !f->entries.v[i].skip; k++)
			if (fl_ynode_equal(f->entries.v[i].node, items[k], EQ_DEPTH))
				f->entries.v[i].skip = 1;
}

/* Column of byte `off` (bytes since the line start). */
static size_t column_of(const char *data, size_t off)
{
	size_t c = 0;
	while (off > 0 && data[off - 1] != '\n')
		off--, c++;
	return c;
}

static int rules_merge(fl_fix *f, const char *name, const char *old, size_t oldlen,
		       char **out, size_t *outlen, int *changed, const char **err)
{
	fl_arena *a = f->a;
	fl_ynode *root;
	int rc = fl_fix_parse_yaml(a, name, old, oldlen, &root, err);
	if (rc)
		return rc;
	uint32_t had = 0;
	if (root && !(root->kind == FL_Y_SCALAR && root->is_null)) {
		if (root->kind != FL_Y_SEQ || root->style == FL_YS_FLOW ||
		    (root->n && column_of(old, root->kids[0]->span.start) != 2)) {
			/* the entries are appended as text: only a block
			 * sequence at the left margin can take them */
			*err = fl_arena_printf(a, "%s: cannot merge into it: its top level is not a "
					       "block sequence of rules items at column 1", name);
			return FL_EUSAGE;
		}
		fl_fix_mark_present(f, root->kids, root->n);
		had = root->n;
	}
	size_t len;
	char *text = fl_fix_entries_text(f, &len);
	if (!text)
		return FL_ENOMEM;
	*changed = len > 0;
	if (!len) {
		*out = fl_arena_strndup(a, old, oldlen);
		*outlen = oldlen;
		return *out ? 0 : FL_ENOMEM;
	}
	sb b = {.a = a};
	sb_addn(&b, old, oldlen);
	if (oldlen && old[oldlen - 1] != '\n')
		sb_add(&b, "\n");
	if (oldlen)
		sb_add(&b, "\n");
	sb_addn(&b, text, len);
	*out = sb_str(&b, outlen);
	if (!*out)
		return FL_ENOMEM;
	/* The result must read back as the old items plus the new ones. */
	fl_ynode *nr;
	const char *e2 = NULL;
	rc = fl_fix_parse_yaml(a, name, *out, *outlen, &nr, &e2);
	if (rc == FL_ENOMEM)
		return rc;
	size_t added = 0;
	for (size_t i = 0; i < f->entries.n; i++)
		added += !f->entries.v[i].skip;
	if (rc || !nr || nr->kind != FL_Y_SEQ || nr->n != had + added) {
		*err = fl_arena_printf(a, "%s: cannot merge into it: the entries would not be read "
				       "as items of its sequence", name);
		return FL_EUSAGE;
	}
	return 0;
}

int fl_fix_merge(fl_fix *f, const char *name, const char *old, size_t oldlen,
		 char **out, size_t *outlen, int *changed, const char **err)
{
	*err = NULL;
	*changed = 0;
	for (size_t i = 0; i < f->entries.n; i++)
		f->entries.v[i].skip = 0;
	if (f->o.helm)
		return fl_helm_merge(f, name, old, oldlen, out, outlen, changed, err);
	return rules_merge(f, name, old, oldlen, out, outlen, changed, err);
}
