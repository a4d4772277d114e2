/* eval.c — three-valued evaluation of parsed conditions against scenario
 * events, and the session stage that runs every enabled rule over the
 * scenario catalogue: FL501 when a rule fires on a benign event, FL502
 * (with --show-uncertain) when it may. */
#include "eval.h"

#include <string.h>

#include "falcolint.h"
#include "fields.h"
#include "ruleset.h"
#include "session.h"

#define DEFAULT_MAX_DEPTH 4000u

int fl_evalenv_init(fl_evalenv *env, fl_arena *a, fl_opctx *ops,
		    uint32_t nslots, fl_macro_fn fn, void *ctx)
{
	memset(env, 0, sizeof(*env));
	env->arena = a;
	env->ops = ops;
	env->macro = fn;
	env->ctx = ctx;
	env->nslots = nslots;
	env->max_depth = DEFAULT_MAX_DEPTH;
	if (nslots) {
		env->memo = fl_arena_alloc(a, nslots * sizeof(*env->memo));
		env->memo_gen = fl_arena_alloc(a, nslots * sizeof(*env->memo_gen));
		if (!env->memo || !env->memo_gen)
			return FL_ENOMEM;
	}
	return 0;
}

static void fail(fl_evalenv *env, int rc, const char *msg)
{
	if (!env->error) {
		env->error = rc;
		env->error_msg = msg;
	}
}

fl_value fl_eval_field(const fl_sevent *ev, const char *name, const char *arg)
{
	const fl_sfield *f = fl_sevent_field(ev, name, arg);
	/* The first ancestor is the parent, the zeroth the process itself. */
	if (!f && !strcmp(name, "proc.aname") && arg && !strcmp(arg, "1"))
		f = fl_sevent_field(ev, "proc.pname", NULL);
	else if (!f && !strcmp(name, "proc.pname") && !arg)
		f = fl_sevent_field(ev, "proc.aname", "1");
	else if (!f && !strcmp(name, "proc.aname") && arg && !strcmp(arg, "0"))
		f = fl_sevent_field(ev, "proc.name", NULL);
	return f ? f->value : fl_value_unknown();
}

/* Ancestor fields without an index compare every ancestor: true when one
 * of them matches (sinsp_filter_check_thread's custom compare). */
static int is_ancestor_field(const char *name)
{
	return !strcmp(name, "proc.aname") || !strcmp(name, "proc.apid") ||
	       !strcmp(name, "proc.aexe") || !strcmp(name, "proc.aexepath") ||
	       !strcmp(name, "proc.acmdline");
}

/* The value of an operand that denotes a field or a transformed field. */
static int operand_value(fl_evalenv *env, const fl_operand *o,
			 const fl_sevent *ev, fl_value *out)
{
	if (o->kind == FL_OPERAND_FIELD) {
		fl_field_match m;
		fl_field_status st = fl_field_resolve(env->source, o->text, o->len,
						      o->has_arg ? o->arg : NULL,
						      o->has_arg ? o->arg_len : 0,
						      FL_VERSION_UNRELEASED, &m);
		*out = fl_eval_field(ev, o->text, o->has_arg ? o->arg : NULL);
		if (st == FL_FIELD_UNKNOWN || st == FL_FIELD_OTHER_SOURCE ||
		    st == FL_FIELD_ARG_MISSING || st == FL_FIELD_ARG_UNEXPECTED ||
		    st == FL_FIELD_ARG_INVALID)
			fail(env, FL_EUSAGE, "invalid field");
		return 0;
	}
	if (o->kind != FL_OPERAND_TRANSFORMER || o->nitems != 1) {
		*out = fl_value_unknown(); /* join/concat/getopt: not modelled */
		return 0;
	}
	fl_value in;
	int rc = operand_value(env, o->items[0], ev, &in);
	if (rc)
		return rc;
	fl_vxform x;
	switch (o->tr) {
	case FL_EXPR_TR_VAL:
		*out = in;
		return 0;
	case FL_EXPR_TR_TOLOWER: x = FL_VX_TOLOWER; break;
	case FL_EXPR_TR_TOUPPER: x = FL_VX_TOUPPER; break;
	case FL_EXPR_TR_B64: x = FL_VX_B64; break;
	case FL_EXPR_TR_BASENAME: x = FL_VX_BASENAME; break;
	case FL_EXPR_TR_LEN: x = FL_VX_LEN; break;
	default:
		*out = fl_value_unknown();
		return 0;
	}
	rc = fl_vxform_apply(env->arena, x, &in, out);
	if (rc == FL_EUSAGE) {
		fail(env, rc, "transformer not applicable");
		*out = fl_value_unknown();
		return 0;
	}
	return rc;
}

/* The kind literals are read as for a left-hand operand: the field's
 * catalogue type, changed by transformers (len gives a number). */
static fl_vkind operand_kind(fl_evalenv *env, const fl_operand *o)
{
	if (o->kind == FL_OPERAND_FIELD) {
		fl_field_match m;
		fl_field_resolve(env->source, o->text, o->len,
				 o->has_arg ? o->arg : NULL, o->has_arg ? o->arg_len : 0,
				 FL_VERSION_UNRELEASED, &m);
		if (!m.field)
			return FL_V_STR;
		fl_vkind k = fl_vkind_of_ftype((int)m.type);
		return k == FL_V_UNKNOWN ? FL_V_STR : k;
	}
	if (o->kind == FL_OPERAND_TRANSFORMER) {
		if (o->tr == FL_EXPR_TR_LEN)
			return FL_V_UINT;
		if (o->tr == FL_EXPR_TR_VAL && o->nitems == 1)
			return operand_kind(env, o->items[0]);
	}
	return FL_V_STR;
}

static int literal(fl_evalenv *env, fl_cmpop op, fl_vkind kind,
		   const fl_operand *o, fl_value *out)
{
	int rc = fl_literal_parse(env->arena, op, kind, o->text, o->len, out);
	if (rc == FL_EUSAGE)
		fail(env, rc, "value does not fit the field's type");
	return rc;
}

static fl_tv eval_check(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	const fl_operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
	fl_cmpop op;
	fl_cmpmod mod = (fl_cmpmod)e->u.check.mod; /* same order: none, oneof, anyof, allof */
	const char *opname = fl_expr_op_name(e->u.check.op);
	if (fl_cmpop_parse(opname, strlen(opname), &op, &(fl_cmpmod){0})) {
		fail(env, FL_EUSAGE, "unknown operator");
		return FL_UNKNOWN;
	}

	fl_value lv;
	if (operand_value(env, lhs, ev, &lv)) {
		fail(env, FL_ENOMEM, NULL);
		return FL_UNKNOWN;
	}
	fl_vkind kind = lv.kind == FL_V_LIST ? (lv.n ? lv.items[0].kind : FL_V_STR)
		: (lv.kind == FL_V_UNKNOWN || lv.kind == FL_V_NONE) ? operand_kind(env, lhs)
		: lv.kind;

	/* proc.aname = x without an index: any known ancestor decides true,
	 * otherwise the ancestors not given leave it open. */
	if (lhs->kind == FL_OPERAND_FIELD && !lhs->has_arg && is_ancestor_field(lhs->text) &&
	    lv.kind == FL_V_UNKNOWN) {
		fl_tv acc = FL_UNKNOWN;
		for (uint32_t i = 0; i < ev->nfields && acc != FL_TRUE; i++) {
			const fl_sfield *f = &ev->fields[i];
			if (!f->arg || strcmp(f->name, lhs->text))
				continue;
			fl_operand one = *lhs;
			one.has_arg = 1;
			one.arg = f->arg;
			one.arg_len = (uint32_t)strlen(f->arg);
			fl_expr sub = *e;
			sub.u.check.lhs = &one;
			if (eval_check(env, &sub, ev) == FL_TRUE)
				acc = FL_TRUE;
		}
		if (fl_sevent_field(ev, "proc.pname", NULL) && !strcmp(lhs->text, "proc.aname")) {
			fl_operand one = *lhs;
			one.has_arg = 1;
			one.arg = "1";
			one.arg_len = 1;
			fl_expr sub = *e;
			sub.u.check.lhs = &one;
			if (eval_check(env, &sub, ev) == FL_TRUE)
				acc = FL_TRUE;
		}
		return acc;
	}

	fl_value one;
	const fl_value *vals = NULL;
	size_t n = 0;
	if (rhs) {
		if (rhs->kind == FL_OPERAND_VALUE || rhs->kind == FL_OPERAND_IDENT) {
			if (literal(env, op, kind, rhs, &one))
				return FL_UNKNOWN;
			vals = &one;
			n = 1;
		} else if (rhs->kind == FL_OPERAND_LIST) {
			fl_value *buf = fl_arena_alloc(env->arena, (rhs->nitems + 1) * sizeof(*buf));
			vals = buf;
			if (!buf) {
				fail(env, FL_ENOMEM, NULL);
				return FL_UNKNOWN;
			}
			for (uint32_t i = 0; i < rhs->nitems; i++) {
				if (rhs->items[i]->kind != FL_OPERAND_VALUE &&
				    rhs->items[i]->kind != FL_OPERAND_IDENT) {
					fail(env, FL_EUSAGE, "list item is not a value");
					return FL_UNKNOWN;
				}
				if (literal(env, op, kind, rhs->items[i], &buf[n++]))
					return FL_UNKNOWN;
			}
		} else {
			/* val(field) or a transformed field on the right */
			if (operand_value(env, rhs, ev, &one)) {
				fail(env, FL_ENOMEM, NULL);
				return FL_UNKNOWN;
			}
			if (one.kind == FL_V_LIST) {
				vals = one.items;
				n = one.n;
			} else {
				vals = &one;
				n = 1;
			}
		}
	}
	fl_tv out;
	int rc = fl_compare(env->ops, op, mod, &lv, vals, n, &out);
	if (rc) {
		fail(env, rc, rc == FL_EUSAGE ? "comparison not supported for the field's type" : NULL);
		return FL_UNKNOWN;
	}
	return out;
}

static fl_tv eval_node(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	if (++env->depth > env->max_depth) {
		env->depth--;
		fail(env, FL_EUSAGE, "condition nested too deeply");
		return FL_UNKNOWN;
	}
	fl_tv r = FL_UNKNOWN;
	switch (e->kind) {
	case FL_EXPR_AND:
		r = FL_TRUE;
		for (uint32_t i = 0; i < e->u.kids.n && r != FL_FALSE; i++)
			r = fl_tv_and(r, eval_node(env, e->u.kids.v[i], ev));
		break;
	case FL_EXPR_OR:
		r = FL_FALSE;
		for (uint32_t i = 0; i < e->u.kids.n && r != FL_TRUE; i++)
			r = fl_tv_or(r, eval_node(env, e->u.kids.v[i], ev));
		break;
	case FL_EXPR_NOT:
		r = fl_tv_not(eval_node(env, e->u.child, ev));
		break;
	case FL_EXPR_CHECK:
		r = eval_check(env, e, ev);
		break;
	case FL_EXPR_MACRO: {
		uint32_t slot = UINT32_MAX;
		const fl_expr *body = env->macro
			? env->macro(env->ctx, e->u.macro.name, e->u.macro.len, &slot)
			: NULL;
		if (!body || slot >= env->nslots) {
			r = FL_UNKNOWN;
			break;
		}
		if (env->memo_gen[slot] == env->gen) {
			r = env->memo[slot];
			break;
		}
		/* Unknown while in progress: a cycle cannot recurse forever. */
		env->memo_gen[slot] = env->gen;
		env->memo[slot] = FL_UNKNOWN;
		r = eval_node(env, body, ev);
		env->memo[slot] = r;
		break;
	}
	default:
		r = FL_UNKNOWN;
		break;
	}
	env->depth--;
	return r;
}

fl_tv fl_eval(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev)
{
	if (++env->gen == 0) {
		/* generation counter wrapped: forget everything explicitly */
		if (env->nslots)
			memset(env->memo_gen, 0, env->nslots * sizeof(*env->memo_gen));
		env->gen = 1;
	}
	env->depth = 0;
	return eval_node(env, e, ev);
}

/* ---- the session stage -------------------------------------------------- */

typedef struct rs_eval {
	fl_session *s;
	fl_ruleset *rs;
	fl_list_def *lists;        /* compiled, in first-definition order */
	const fl_expr **macro_ast; /* per macro (ruleset order); NULL: broken */
} rs_eval;

/* Number of lists (a prefix of the first-definition order) an item whose
 * visibility is `vis` can see. */
static size_t visible_lists(const fl_ruleset *rs, uint32_t vis)
{
	size_t lo = 0, hi = rs->lists.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rs->lists.v[mid]->c.order < vis)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Substitutes lists into `cond` and parses it; NULL when it does not parse
 * (the compile stage reports that) or on OOM (*oom set). */
static const fl_expr *parse_cond(rs_eval *r, const fl_text *cond, uint32_t vis,
				 int *oom)
{
	fl_arena *a = r->s->arena;
	fl_text sub;
	if (!cond->s)
		return NULL;
	if (fl_list_substitute(a, cond, r->lists, visible_lists(r->rs, vis), &sub, NULL)) {
		*oom = 1;
		return NULL;
	}
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(a, sub.s, sub.len, r->s->opt.limits.max_expr_depth, &errs);
	if (!e) {
		*oom = 1;
		return NULL;
	}
	return errs.n ? NULL : e;
}

static const fl_expr *resolve_macro(void *ctx, const char *name, uint32_t len,
				    uint32_t *slot)
{
	rs_eval *r = ctx;
	const fl_macro *m = fl_ruleset_macro(r->rs, name, len);
	if (!m)
		return NULL;
	/* macros are kept in first-definition order: search by order */
	size_t lo = 0, hi = r->rs->macros.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->rs->macros.v[mid]->c.order < m->c.order)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= r->rs->macros.n || r->rs->macros.v[lo] != m)
		return NULL;
	*slot = (uint32_t)lo;
	return r->macro_ast[lo];
}

static int prepare(rs_eval *r)
{
	fl_arena *a = r->s->arena;
	fl_ruleset *rs = r->rs;
	size_t nl = rs->lists.n;
	fl_list_src *src = fl_arena_alloc(a, (nl + 1) * sizeof(*src));
	r->lists = fl_arena_alloc(a, (nl + 1) * sizeof(*r->lists));
	r->macro_ast = fl_arena_alloc(a, (rs->macros.n + 1) * sizeof(*r->macro_ast));
	if (!src || !r->lists || !r->macro_ast)
		return FL_ENOMEM;
	for (size_t i = 0; i < nl; i++) {
		const fl_list *l = rs->lists.v[i];
		const char **items = fl_arena_alloc(a, (l->items.n + 1) * sizeof(*items));
		if (!items)
			return FL_ENOMEM;
		for (size_t j = 0; j < l->items.n; j++)
			if (!(items[j] = fl_arena_strndup(a, l->items.v[j].s, l->items.v[j].len)))
				return FL_ENOMEM;
		src[i].name = l->c.name;
		src[i].index = (uint32_t)i;
		src[i].visibility = (uint32_t)visible_lists(rs, l->c.visibility);
		src[i].items = items;
		src[i].nitems = l->items.n;
	}
	if (fl_list_compile(a, src, nl, r->lists, NULL))
		return FL_ENOMEM;
	for (size_t i = 0; i < rs->macros.n; i++) {
		const fl_macro *m = rs->macros.v[i];
		int oom = 0;
		r->macro_ast[i] = parse_cond(r, &m->cond, m->c.visibility, &oom);
		if (oom)
			return FL_ENOMEM;
	}
	return 0;
}

/* Notes for a firing rule: the negated macros of its top-level `and` that
 * were false for the event, i.e. the exemptions that did not apply. */
static void note_exemptions(rs_eval *r, fl_evalenv *env, fl_dg *g,
			    const fl_expr *e)
{
	if (e->kind != FL_EXPR_AND)
		return;
	for (uint32_t i = 0; i < e->u.kids.n; i++) {
		const fl_expr *k = e->u.kids.v[i];
		if (k->kind != FL_EXPR_NOT || k->u.child->kind != FL_EXPR_MACRO)
			continue;
		uint32_t slot;
		const fl_expr *m = k->u.child;
		if (!resolve_macro(r, m->u.macro.name, m->u.macro.len, &slot))
			continue;
		if (env->memo_gen[slot] != env->gen || env->memo[slot] != FL_FALSE)
			continue;
		const fl_macro *mac = r->rs->macros.v[slot];
		fl_diag_note(&r->s->diags, g, mac->def.span,
			     "exemption macro '%s' is false for this event", mac->c.name);
	}
}

static int rule_has_exceptions(const fl_rule *rule)
{
	for (size_t i = 0; i < rule->exceptions.n; i++)
		if (rule->exceptions.v[i].values.n)
			return 1;
	return 0;
}

static int eval_rule(rs_eval *r, fl_evalenv *env, const fl_rule *rule,
		     const fl_expr *cond, const fl_scenario *sc, unsigned drv)
{
	fl_arena *a = r->s->arena;
	const char *fired = NULL, *maybe = NULL;
	const fl_sevent *first = NULL;
	int exc = rule_has_exceptions(rule);
	fl_dg *g = NULL;
	for (uint32_t i = 0; i < sc->nevents; i++) {
		const fl_sevent *ev = &sc->events[i];
		if (!fl_sevent_has_driver(ev, drv))
			continue;
		fl_tv t = fl_eval(env, cond, ev);
		/* Exceptions are not modelled yet: they may exempt the event. */
		if (exc && t == FL_TRUE)
			t = FL_UNKNOWN;
		const char **acc = t == FL_TRUE ? &fired : t == FL_UNKNOWN ? &maybe : NULL;
		if (!acc)
			continue;
		*acc = *acc ? fl_arena_printf(a, "%s, %s", *acc, ev->name) : ev->name;
		if (!*acc)
			return FL_ENOMEM;
		if (t == FL_TRUE && !first)
			first = ev;
	}
	if (first) {
		g = fl_diag(&r->s->diags, FL501, rule->cond_def.span,
			    "rule '%s' fires on benign scenario '%s' (%s)",
			    rule->c.name, sc->name, fired);
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, "rule", rule->c.name);
		g->scenario = sc->name;
		g->variant = fired;
		/* evaluate the first firing event again: its macro values are
		 * what the notes explain */
		fl_eval(env, cond, first);
		note_exemptions(r, env, g, cond);
		if (sc->summary)
			fl_diag_help(&r->s->diags, g, "%s", sc->summary);
		return 0;
	}
	if (maybe && r->s->opt.show_uncertain) {
		g = fl_diag(&r->s->diags, FL502, rule->cond_def.span,
			    "rule '%s' may fire on benign scenario '%s' (%s): it depends on "
			    "fields the scenario does not give%s",
			    rule->c.name, sc->name, maybe, exc ? " or on exceptions" : "");
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, "rule", rule->c.name);
		g->scenario = sc->name;
		g->variant = maybe;
	}
	return 0;
}

int fl_scenarios_run(fl_session *s)
{
	int rc = fl_session_load_scenarios(s);
	if (rc || !s->rs)
		return rc;
	fl_scenarios *scs = fl_session_scenarios(s);
	unsigned drv = 0;
	if (s->opt.driver && fl_driver_parse(s->opt.driver, &drv))
		drv = 0; /* the CLI validates --driver */
	rs_eval r = {s, s->rs, NULL, NULL};
	if ((rc = prepare(&r)))
		return rc;
	fl_opctx *ops = fl_opctx_new(s->arena);
	if (!ops)
		return FL_ENOMEM;
	fl_evalenv env;
	if ((rc = fl_evalenv_init(&env, s->arena, ops, (uint32_t)s->rs->macros.n,
				  resolve_macro, &r)))
		goto out;
	for (size_t i = 0; i < s->rs->rules.n && !rc; i++) {
		const fl_rule *rule = s->rs->rules.v[i];
		if (!rule->enabled || rule->source_unknown)
			continue;
		int oom = 0;
		const fl_expr *cond = parse_cond(&r, &rule->cond, rule->c.visibility, &oom);
		if (oom) {
			rc = FL_ENOMEM;
			break;
		}
		if (!cond)
			continue;
		env.source = rule->source;
		for (size_t j = 0; j < scs->list.n && !rc; j++) {
			const fl_scenario *sc = scs->list.v[j];
			const char *rsrc = rule->source ? rule->source : "syscall";
			if (sc->kind != FL_SCEN_BENIGN || strcmp(sc->source, rsrc))
				continue;
			rc = eval_rule(&r, &env, rule, cond, sc, drv);
		}
	}
out:
	fl_opctx_release(ops);
	return rc;
}
