/* checks.c — whole-ruleset checks that run once after every file was read
 * and compiled: Falco's unused-macro and unused-list warnings, then the
 * checks Falco does not make (regexes that do not compile, appends whose
 * meaning changes at the join, features newer than the file's required
 * engine version, silent redefinitions, descriptions naming missing items). */
#include "compile.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "diag.h"
#include "evalops.h"
#include "session.h"

/* A condition as compiled (macro or rule) and who owns it.  source: the
 * rule's event source; "syscall" for macros (fields of a macro are looked
 * up as syscall fields). */
typedef struct cond_ref {
	const fl_text *text;
	const char *kind, *name, *source;
} cond_ref;

static int is_reported(const fl_session *s, fl_span sp)
{
	return sp.src < s->sources.n && !s->sources.v[sp.src]->context;
}

/* ---- regular expressions ---------------------------------------------- */

static int check_regex(fl_session *s, const cond_ref *c, const fl_operand *v)
{
	char msg[200];
	if (fl_regex_check(v->text, v->len, msg, sizeof msg) == 0)
		return 0;
	/* pcre2 knows where; RE2-only refusals (\d, lookarounds) do not say */
	int ec;
	PCRE2_SIZE eoff = 0;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)v->text, v->len, PCRE2_UTF, &ec, &eoff, NULL);
	uint32_t a = v->start, b = v->end;
	if (code) {
		pcre2_code_free(code);
	} else {
		uint32_t raw = v->start + (v->quoted ? 1u : 0u) + (uint32_t)eoff;
		if (raw < v->end) {
			a = raw;
			b = raw + 1;
		}
	}
	fl_span sp = fl_text_span(c->text, a, b);
	if (sp.src == UINT32_MAX || !is_reported(s, sp))
		return 0;
	fl_dg *g = fl_diag(&s->diags, FL120, sp, "regex '%s' does not compile: %s", v->text, msg);
	if (!g)
		return FL_ENOMEM;
	fl_diag_item(g, c->kind, c->name);
	return 0;
}

/* ---- event types -------------------------------------------------------- */

static int check_evttype(fl_session *s, const cond_ref *c, const fl_operand *v)
{
	int i = fl_evttype_index(v->text, v->len);
	if (i < 0)
		return 0;  /* unknown names are Falco's own error (FL057) */
	const fl_evttype *et = fl_evttype_at((size_t)i);
	if (!et || !(et->kind & FL_EVT_OLD))
		return 0;
	fl_span sp = fl_text_span(c->text, v->start, v->end);
	if (sp.src == UINT32_MAX || !is_reported(s, sp))
		return 0;
	const char *ren = fl_evttype_renamed(v->text, v->len);
	fl_dg *g = fl_diag(&s->diags, FL121, sp,
			   "event type '%s' is only known from old event versions: current drivers never produce it",
			   v->text);
	if (!g)
		return FL_ENOMEM;
	fl_diag_item(g, c->kind, c->name);
	if (ren)
		fl_diag_help(&s->diags, g, "did you mean '%s'?", ren);
	return 0;
}

static int is_evttype_field(const fl_operand *l)
{
	return l && l->kind == FL_OPERAND_FIELD && !fl_operand_arg(l) && !strcmp(l->text, "evt.type");
}

/* Regexes and event types among the values of check node `e`. */
static int value_check(fl_session *s, const cond_ref *c, const fl_expr *e)
{
	const fl_operand *r = e->u.check.rhs;
	if (!r)
		return 0;
	int list = r->kind == FL_OPERAND_LIST;
	uint32_t nv = list ? fl_operand_nitems(r) : 1;
	for (uint32_t k = 0; k < nv; k++) {
		const fl_operand *v = list ? fl_operand_item(r, k) : r;
		if (v->kind != FL_OPERAND_VALUE && v->kind != FL_OPERAND_IDENT)
			continue;
		int rc = 0;
		if (e->u.check.op == FL_OP_REGEX)
			rc = check_regex(s, c, v);
		else if (is_evttype_field(e->u.check.lhs))
			rc = check_evttype(s, c, v);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- appends whose meaning changes at the join (rules-format §11) ------- */

static int first_word_is(const fl_text *t, const char *w)
{
	size_t i = 0, n = strlen(w);
	while (i < t->len && isspace((unsigned char)t->s[i]))
		i++;
	return t->len - i > n && !memcmp(t->s + i, w, n) &&
	       (isspace((unsigned char)t->s[i + n]) || t->s[i + n] == '(');
}

static int append_check(fl_session *s, const char *kind, const char *name,
			const fl_cond_piece *def, const fl_cond_piece *apps, size_t napps)
{
	fl_text base = def->text;
	fl_text_builder joined = {.a = s->arena};
	for (size_t i = 0; i < napps; i++) {
		const fl_cond_piece *ap = &apps[i];
		if (first_word_is(&ap->text, "and") && is_reported(s, ap->span)) {
			fl_expr_errors errs = {0};
			fl_expr *e = fl_expr_parse(s->arena, base.s, base.len, 0, &errs);
			if (!e)
				return FL_ENOMEM;
			if (!errs.n && e->kind == FL_EXPR_OR && e->parens == 0) {
				fl_dg *g = fl_diag(&s->diags, FL122, ap->span,
						   "appended condition binds only to the last alternative of '%s': 'and' is stronger than the 'or' at the top of the condition it is appended to",
						   name);
				if (!g)
					return FL_ENOMEM;
				fl_diag_item(g, kind, name);
				fl_diag_note(&s->diags, g, def->span, "Falco reads the joined condition as: %.*s %.*s",
					     (int)base.len, base.s, (int)ap->text.len, ap->text.s);
				fl_diag_help(&s->diags, g,
					     "put the base condition in parentheses, '(%.*s)', if the append should apply to all of it",
					     (int)(base.len > 200 ? 200 : base.len), base.s);
			}
		}
		if (fl_text_join(&joined, &base, &ap->text, &base))
			return FL_ENOMEM;
	}
	return 0;
}

static int append_checks(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_macro *m = rs->macros.v[i];
		if (m->appends.n && append_check(s, "macro", m->c.name, &m->def, m->appends.v, m->appends.n))
			return FL_ENOMEM;
	}
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		if (r->app && r->app->cond_appends.n &&
		    append_check(s, "rule", r->c.name, &r->cond_def, r->app->cond_appends.v,
				 r->app->cond_appends.n))
			return FL_ENOMEM;
	}
	return 0;
}

/* ---- features newer than the file's required_engine_version ------------ */

/* The highest required_engine_version written in source `src`, read from
 * the text (the lines that start with the key), not from the YAML; 0 if
 * none. */
static int file_required_engine(const fl_source *src, fl_version *out, fl_span *sp)
{
	static const char key[] = "required_engine_version";
	const char *data = src->data, *end = src->data + src->len;
	int found = 0;
	if (src->len <= sizeof key)
		return 0;
	/* Lines that start (after blanks and '-') with the key.  The key's
	 * 'q' is rare in rule files: memchr finds those, where a walk over
	 * every line of a large file cost as much as the checks. */
	for (const char *p = data + 2; p < end && (p = memchr(p, 'q', (size_t)(end - p)));
	     p++) {
		const char *q = p - 2;
		if ((size_t)(end - q) <= sizeof key || memcmp(q, key, sizeof key - 1) ||
		    q[sizeof key - 1] != ':')
			continue;
		const char *ls = q;
		while (ls > data && (ls[-1] == ' ' || ls[-1] == '-' || ls[-1] == '\t'))
			ls--;
		if (ls > data && ls[-1] != '\n')
			continue;  /* something else comes first on the line */
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *le = nl ? nl : end;
		if ((size_t)(le - q) <= sizeof key)
			continue;
		const char *v = q + sizeof key;
		while (v < le && (*v == ' ' || *v == '\t' || *v == '"' || *v == '\''))
			v++;
		const char *ve = v;
		while (ve < le && !isspace((unsigned char)*ve) && *ve != '"' && *ve != '\'' && *ve != '#')
			ve++;
		fl_version ver;
		if (ve > v && fl_engine_version_parse(v, (size_t)(ve - v), &ver) == 0 &&
		    (!found || fl_version_cmp(ver, *out) > 0)) {
			*out = ver;
			*sp = (fl_span){src->id, (uint32_t)(v - data), (uint32_t)(ve - data)};
			found = 1;
		}
	}
	return found;
}

/* One use of a feature, named `what` followed by `arg` in quotes when arg
 * is set ("operator" + "regex": operator 'regex').  The name is only
 * formatted for a diagnostic. */
typedef struct feat_use {
	const char *what, *arg;
	fl_version need;      /* first Falco release that has it */
	fl_span span;
	int target_checked;   /* conditions: already checked against the target */
} feat_use;

typedef FL_VEC(feat_use) feat_uses;

/* A source file's own required_engine_version. */
typedef struct file_req {
	int skip;               /* context file: never reported */
	int has;
	fl_version req;
	fl_span span;
	const fl_release *rel;  /* the oldest release that satisfies req, or NULL */
} file_req;

/* Feature uses are kept only when they can be reported: newer than the
 * target (unless the compiler already checked them against it) or than the
 * release their file's required_engine_version stands for.  Nearly every
 * field and operator of a large ruleset is older than both; keeping them
 * all cost an entry, a formatted name and a position lookup each. */
typedef struct feats {
	fl_version target;
	file_req *files;        /* per source */
	int any_rel;            /* some file has a release (rel) */
	fl_version min_rel;     /* the oldest of those releases */
	feat_uses items;        /* rules-format features, in version_checks' order */
	feat_uses conds;        /* condition features, in condition order */
} feats;

static int feats_init(fl_session *s, feats *f)
{
	memset(f, 0, sizeof(*f));
	f->target = fl_compile_target(s);
	size_t nsrc = s->sources.n;
	f->files = fl_arena_alloc(s->arena, sizeof(*f->files) * (nsrc + 1));
	if (!f->files)
		return FL_ENOMEM;
	for (size_t i = 0; i < nsrc; i++) {
		const fl_source *src = s->sources.v[i];
		file_req *fr = &f->files[i];
		fr->skip = src->context;
		fr->has = !src->context && !src->failed && !src->aux && src->data &&
			  file_required_engine(src, &fr->req, &fr->span);
		fr->rel = fr->has ? fl_release_for_engine(fr->req) : NULL;
		if (fr->rel && (!f->any_rel || fl_version_cmp(fr->rel->falco, f->min_rel) < 0)) {
			f->min_rel = fr->rel->falco;
			f->any_rel = 1;
		}
	}
	return 0;
}

/* 1 when a condition feature (checked against the target already) needing
 * `need` may be reported in some file: decides before its span is looked
 * up. */
static int cond_feat_may_report(const feats *f, fl_version need)
{
	return f->any_rel && fl_version_cmp(need, f->min_rel) > 0;
}

static int use(fl_session *s, feats *f, feat_uses *u, const char *what, const char *arg,
	       fl_version need, fl_span sp, int tc)
{
	if (sp.src >= s->sources.n || f->files[sp.src].skip ||
	    !fl_version_cmp(need, FL_VERSION_MAKE(0, 0, 0)))
		return 0;
	const fl_release *rel = f->files[sp.src].rel;
	if ((tc || fl_version_cmp(need, f->target) <= 0) &&
	    !(rel && fl_version_cmp(need, rel->falco) > 0))
		return 0;
	feat_use fu = {what, arg, need, sp, tc};
	return FL_VEC_PUSH(s->arena, *u, fu) ? FL_ENOMEM : 0;
}

static int operand_uses(fl_session *s, feats *f, const cond_ref *c, const fl_operand *o,
			unsigned depth)
{
	if (depth > FL_EXPR_MAX_DEPTH || !f->any_rel)
		return 0;
	if (o->kind == FL_OPERAND_TRANSFORMER) {
		const fl_xform_info *xi = fl_xform_get(o->tr);
		if (cond_feat_may_report(f, xi->since) &&
		    use(s, f, &f->conds, "transformer", xi->name, xi->since,
			fl_text_span(c->text, o->start, o->end), 1))
			return FL_ENOMEM;
		for (uint32_t i = 0; i < fl_operand_nitems(o); i++)
			if (operand_uses(s, f, c, fl_operand_item(o, i), depth + 1))
				return FL_ENOMEM;
	} else if (o->kind == FL_OPERAND_FIELD) {
		fl_field_match m;
		fl_field_status st = fl_compile_operand_field(c->source, o, FL_VERSION_UNRELEASED, &m);
		if (st == FL_FIELD_OK && m.field && cond_feat_may_report(f, m.field->since) &&
		    use(s, f, &f->conds, "field", m.field->name, m.field->since,
			fl_text_span(c->text, o->start, o->end), 1))
			return FL_ENOMEM;
	}
	return 0;
}

/* Operators, modifiers, fields, transformers and field comparisons of
 * check node `e`. */
static int check_uses(fl_session *s, feats *f, const cond_ref *c, const fl_expr *e)
{
	if (!f->any_rel)
		return 0;  /* only file requirements are left to check against */
	const char *opn = fl_op_text(e->u.check.op);
	fl_version need;
	if (cond_feat_may_report(f, need = fl_op_since(e->u.check.op)) &&
	    use(s, f, &f->conds, "operator", opn, need,
		fl_text_span(c->text, e->u.check.op_start, e->u.check.op_end), 1))
		return FL_ENOMEM;
	if (e->u.check.mod != FL_MOD_NONE) {
		const char *mn = fl_modifier_text(e->u.check.mod);
		if (cond_feat_may_report(f, need = fl_modifier_since(e->u.check.mod)) &&
		    use(s, f, &f->conds, "modifier", mn, need,
			fl_text_span(c->text, e->u.check.op_start, e->u.check.op_end), 1))
			return FL_ENOMEM;
	}
	if (e->u.check.lhs && operand_uses(s, f, c, e->u.check.lhs, 0))
		return FL_ENOMEM;
	const fl_operand *r = e->u.check.rhs;
	if (r && (r->kind == FL_OPERAND_FIELD || r->kind == FL_OPERAND_TRANSFORMER)) {
		need = fl_feature_min_falco(FL_FEAT_FIELD_RHS);
		if (cond_feat_may_report(f, need) &&
		    use(s, f, &f->conds, "comparing with a field (val())", NULL, need,
			fl_text_span(c->text, r->start, r->end), 1))
			return FL_ENOMEM;
		if (operand_uses(s, f, c, r, 0))
			return FL_ENOMEM;
	}
	return 0;
}

/* Regexes, event types and feature uses of one condition's nodes. */
static int cond_check(fl_session *s, feats *f, fl_expr_iter *it, const cond_ref *c,
		      const fl_expr *ast)
{
	fl_expr_iter_reset(it, ast);
	const fl_expr *e;
	fl_expr_event ev;
	while ((ev = fl_expr_iter_next(it, &e)) != FL_EXPR_EV_DONE) {
		if (ev == FL_EXPR_EV_OOM)
			return FL_ENOMEM;
		if (ev != FL_EXPR_EV_ENTER || e->kind != FL_EXPR_CHECK)
			continue;
		int rc = value_check(s, c, e);
		if (rc)
			return rc;
		if (check_uses(s, f, c, e))
			return FL_ENOMEM;
	}
	return 0;
}

static int same_feat(const feat_use *a, const feat_use *b)
{
	return !strcmp(a->what, b->what) &&
	       (a->arg && b->arg ? !strcmp(a->arg, b->arg) : a->arg == b->arg);
}

static const char *feat_name(fl_session *s, const feat_use *fu)
{
	return fu->arg ? fl_arena_printf(s->arena, "%s '%s'", fu->what, fu->arg) : fu->what;
}

/* Reports the uses of file `fi` (in `order`, the kept uses in
 * items-then-conditions order): one diagnostic per feature and file. */
static int report_file(fl_session *s, const feats *f, size_t fi, const feat_use *const *order,
		       size_t n)
{
	const file_req *fr = &f->files[fi];
	FL_VEC(const feat_use *) said = {0};
	for (size_t i = 0; i < n; i++) {
		const feat_use *fu = order[i];
		size_t k;
		for (k = 0; k < said.n && !same_feat(said.v[k], fu); k++)
			;
		if (k < said.n)
			continue;
		char b1[32], b2[32], b3[32];
		if (!fu->target_checked && fl_version_cmp(fu->need, f->target) > 0) {
			const char *what = feat_name(s, fu);
			fl_dg *g = what ? fl_diag(&s->diags, FL124, fu->span,
						  "%s needs Falco %s or newer, but the target is %s", what,
						  fl_version_str(fu->need, b1, sizeof b1),
						  fl_version_str(f->target, b2, sizeof b2))
					: NULL;
			if (!g || FL_VEC_PUSH(s->arena, said, fu))
				return FL_ENOMEM;
			continue;
		}
		if (fr->rel && fl_version_cmp(fu->need, fr->rel->falco) > 0) {
			const fl_release *nr = fl_release_for(fu->need, NULL);
			const char *what = feat_name(s, fu);
			fl_dg *g = what ? fl_diag(&s->diags, FL123, fu->span,
						  "%s needs Falco %s, newer than the file's required_engine_version %s (Falco %s)",
						  what, fl_version_str(fu->need, b1, sizeof b1),
						  fl_version_str(fr->req, b2, sizeof b2),
						  fl_version_str(fr->rel->falco, b3, sizeof b3))
					: NULL;
			if (!g || FL_VEC_PUSH(s->arena, said, fu))
				return FL_ENOMEM;
			fl_diag_note(&s->diags, g, fr->span, "the file requires engine %s here",
				     fl_version_str(fr->req, b2, sizeof b2));
			if (nr)
				fl_diag_help(&s->diags, g, "require engine %s or newer",
					     fl_version_str(nr->engine, b3, sizeof b3));
		}
	}
	return 0;
}

/* Rules-format features (from the contributions), then the condition
 * features the condition walks kept; reported per file in source order. */
static int version_checks(fl_session *s, feats *f)
{
	fl_ruleset *rs = s->rs;
	fl_version ov = fl_feature_min_falco(FL_FEAT_OVERRIDE);
	fl_version ex = fl_feature_min_falco(FL_FEAT_EXCEPTIONS);
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		for (size_t k = 0; k < r->c.contribs.n; k++) {
			fl_contrib_kind kd = r->c.contribs.v[k].kind;
			if ((kd == FL_CONTRIB_OVERRIDE_APPEND || kd == FL_CONTRIB_OVERRIDE_REPLACE) &&
			    use(s, f, &f->items, "'override'", NULL, ov, r->c.contribs.v[k].span, 0))
				return FL_ENOMEM;
		}
		for (size_t k = 0; k < r->exceptions.n; k++)
			if (use(s, f, &f->items, "'exceptions'", NULL, ex, r->exceptions.v[k].span, 0))
				return FL_ENOMEM;
	}
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_macro *m = rs->macros.v[i];
		for (size_t k = 0; k < m->c.contribs.n; k++)
			if (m->c.contribs.v[k].kind == FL_CONTRIB_OVERRIDE_APPEND &&
			    use(s, f, &f->items, "'override'", NULL, ov, m->c.contribs.v[k].span, 0))
				return FL_ENOMEM;
	}
	for (size_t i = 0; i < rs->lists.n; i++) {
		fl_list *l = rs->lists.v[i];
		for (size_t k = 0; k < l->c.contribs.n; k++)
			if (l->c.contribs.v[k].kind == FL_CONTRIB_OVERRIDE_APPEND &&
			    use(s, f, &f->items, "'override'", NULL, ov, l->c.contribs.v[k].span, 0))
				return FL_ENOMEM;
	}
	/* Group the kept uses by file, keeping their order (counting sort):
	 * a directory of 10,000 files is not scanned once per file. */
	size_t n = f->items.n + f->conds.n, nsrc = s->sources.n;
	if (!n)
		return 0;
	size_t *start = fl_arena_alloc(s->arena, sizeof(*start) * (nsrc + 1));
	const feat_use **order = fl_arena_alloc(s->arena, sizeof(*order) * n);
	if (!start || !order)
		return FL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const feat_use *fu = i < f->items.n ? &f->items.v[i] : &f->conds.v[i - f->items.n];
		start[fu->span.src + 1]++;
	}
	for (size_t fi = 0; fi < nsrc; fi++)
		start[fi + 1] += start[fi];
	size_t *next = fl_arena_alloc(s->arena, sizeof(*next) * (nsrc + 1));
	if (!next)
		return FL_ENOMEM;
	memcpy(next, start, sizeof(*next) * (nsrc + 1));
	for (size_t i = 0; i < n; i++) {
		const feat_use *fu = i < f->items.n ? &f->items.v[i] : &f->conds.v[i - f->items.n];
		order[next[fu->span.src]++] = fu;
	}
	for (size_t fi = 0; fi < nsrc; fi++)
		if (start[fi + 1] > start[fi] &&
		    report_file(s, f, fi, order + start[fi], start[fi + 1] - start[fi]))
			return FL_ENOMEM;
	return 0;
}

/* ---- redefinitions (opt-in) ------------------------------------------- */

static int redef_one(fl_session *s, const char *kind, const fl_item_common *c)
{
	for (size_t k = 1; k < c->contribs.n; k++) {
		const fl_contrib *x = &c->contribs.v[k];
		if (x->kind != FL_CONTRIB_REDEFINE || !is_reported(s, x->name_span))
			continue;
		const fl_contrib *prev = NULL;
		for (size_t j = k; j-- > 0;)
			if (c->contribs.v[j].kind == FL_CONTRIB_DEFINE ||
			    c->contribs.v[j].kind == FL_CONTRIB_REDEFINE) {
				prev = &c->contribs.v[j];
				break;
			}
		fl_dg *g = fl_diag(&s->diags, FL125, x->name_span,
				   "%s '%s' is defined again: the earlier definition and its appends are replaced",
				   kind, c->name);
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, kind, c->name);
		if (prev)
			fl_diag_note(&s->diags, g, prev->name_span, "earlier definition");
	}
	return 0;
}

static int redef_checks(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	for (size_t i = 0; i < rs->lists.n; i++)
		if (redef_one(s, "list", &rs->lists.v[i]->c))
			return FL_ENOMEM;
	for (size_t i = 0; i < rs->macros.n; i++)
		if (redef_one(s, "macro", &rs->macros.v[i]->c))
			return FL_ENOMEM;
	for (size_t i = 0; i < rs->rules.n; i++)
		if (redef_one(s, "rule", &rs->rules.v[i]->c))
			return FL_ENOMEM;
	return 0;
}

/* ---- names in descriptions (opt-in, conservative) ---------------------- */

static int word_at(const char *s, size_t n, size_t i, const char *w)
{
	size_t wl = strlen(w);
	return i + wl <= n && !memcmp(s + i, w, wl) &&
	       (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
	       (i + wl == n || !isalnum((unsigned char)s[i + wl]));
}

static int namech(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Reports `name` (at desc[a..b)) said to be a `kind` when it is not. */
static int desc_name(fl_session *s, fl_rule *r, const char *kind, size_t a, size_t b)
{
	const char *nm = r->desc.s + a;
	uint32_t nl = (uint32_t)(b - a);
	if (!memchr(nm, '_', nl))
		return 0;  /* conservative: only names with an underscore */
	int is_macro = fl_ruleset_macro(s->rs, nm, nl) != NULL;
	int is_list = fl_ruleset_list(s->rs, nm, nl) != NULL;
	int want_macro = kind[0] == 'm';
	if ((want_macro && is_macro) || (!want_macro && is_list))
		return 0;
	fl_span sp = fl_text_span(&r->desc, (uint32_t)a, (uint32_t)b);
	if (sp.src == UINT32_MAX || !is_reported(s, sp))
		return 0;
	fl_dg *g;
	if (is_macro || is_list)
		g = fl_diag(&s->diags, FL126, sp, "the description calls '%.*s' a %s, but it is a %s",
			    (int)nl, nm, kind, is_macro ? "macro" : "list");
	else
		g = fl_diag(&s->diags, FL126, sp, "the description names %s '%.*s', which is not defined",
			    kind, (int)nl, nm);
	if (!g)
		return FL_ENOMEM;
	fl_diag_item(g, "rule", r->c.name);
	return 0;
}

/* The words desc_checks looks for, as it looks for them. */
static size_t desc_word(const char *d, size_t n, size_t k, const char **kind)
{
	*kind = d[k] != 'm' && d[k] != 'l' ? NULL  /* cheap test first */
		: word_at(d, n, k, "macro") ? "macro"
		: word_at(d, n, k, "list") ? "list" : NULL;
	return *kind ? strlen(*kind) : 0;
}

int fl_desc_may_name(const char *d, size_t n)
{
	if (memchr(d, '_', n))
		return 1;
	const char *kind;
	for (size_t k = 0; k < n; k++)
		if (desc_word(d, n, k, &kind))
			return 1;
	return 0;
}

static int desc_checks(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		const char *d = r->desc.s;
		size_t n = r->desc.len;
		for (size_t k = 0; k < n; k++) {
			const char *kind;
			size_t kl = desc_word(d, n, k, &kind);
			if (!kind)
				continue;
			/* "macro NAME" / "macro `NAME`" */
			size_t a = k + kl;
			while (a < n && (d[a] == ' ' || d[a] == '`' || d[a] == '\''))
				a++;
			size_t b = a;
			while (b < n && namech(d[b]))
				b++;
			if (b > a && a > k + kl && desc_name(s, r, kind, a, b))
				return FL_ENOMEM;
			/* "NAME macro" / "`NAME` macro" */
			size_t e = k;
			while (e > 0 && (d[e - 1] == ' ' || d[e - 1] == '`' || d[e - 1] == '\''))
				e--;
			size_t st = e;
			while (st > 0 && namech(d[st - 1]))
				st--;
			if (e > st && e < k && desc_name(s, r, kind, st, e))
				return FL_ENOMEM;
			k += kl - 1;
		}
	}
	return 0;
}

static int unused_warnings(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	int known = fl_compile_mark_used(s);
	/* Falco skips these warnings when compiling failed; when some condition
	 * did not parse its macro references are unknown, so unused macros
	 * cannot be told apart. */
	if (known) {
		for (size_t i = 0; i < rs->macros.n; i++) {
			fl_macro *m = rs->macros.v[i];
			if (m->c.used || s->sources.v[m->c.file]->context)
				continue;
			fl_dg *g = fl_diag(&s->diags, FL073, fl_item_name_span(&m->c),
					   "macro '%s' is not used by any rule or macro", m->c.name);
			if (!g)
				return FL_ENOMEM;
			fl_diag_item(g, "macro", m->c.name);
		}
	}
	for (size_t i = 0; i < rs->lists.n; i++) {
		fl_list *l = rs->lists.v[i];
		if (l->c.used || s->sources.v[l->c.file]->context)
			continue;
		fl_dg *g = fl_diag(&s->diags, FL074, fl_item_name_span(&l->c),
				   "list '%s' is not used by any rule, macro or list", l->c.name);
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, "list", l->c.name);
	}
	return 0;
}

/* The whole-ruleset checks, run as three calls (fl_checks_begin, one
 * fl_checks_rule per rule, fl_checks_end) so that the session builds each
 * rule's final condition once for the checks and the evaluator. */
struct fl_checkrun {
	fl_session *s;
	feats f;
	fl_expr_iter *it;
};

/* Regexes, event types and feature uses of every macro's parsed condition
 * (the compile stage's trees; own nodes only: a macro's text is checked
 * once, as the macro). */
static int macro_cond_checks(fl_checkrun *c)
{
	fl_ruleset *rs = c->s->rs;
	int rc = 0;
	for (size_t i = 0; i < rs->macros.n && !rc; i++) {
		const fl_cmacro *cm = rs->macros.v[i]->compiled;
		if (!cm || !cm->ast)
			continue;
		cond_ref ref = {&cm->text, "macro", cm->m->c.name, "syscall"};
		rc = cond_check(c->s, &c->f, c->it, &ref, cm->ast);
	}
	return rc;
}

int fl_checks_begin(fl_session *s, fl_checkrun **out)
{
	*out = NULL;
	if (!s->rs)
		return 0;
	fl_checkrun *c = fl_arena_alloc(s->arena, sizeof *c);
	if (!c)
		return FL_ENOMEM;
	c->s = s;
	if (feats_init(s, &c->f) || !(c->it = fl_expr_iter_new(s->arena, NULL)) ||
	    macro_cond_checks(c))
		return FL_ENOMEM;
	*out = c;
	return 0;
}

/* The same walk over rule `r`'s final condition (`ast`, of `text`: what
 * fl_compile_rule_cond gives; NULL when it did not parse). */
int fl_checks_rule(fl_checkrun *c, const fl_rule *r, const fl_text *text, const fl_expr *ast)
{
	if (!c || !ast)
		return 0;
	cond_ref ref = {text, "rule", r->c.name, r->source ? r->source : "syscall"};
	return cond_check(c->s, &c->f, c->it, &ref, ast);
}

int fl_checks_end(fl_checkrun *c)
{
	if (!c)
		return 0;
	fl_session *s = c->s;
	/* unused lists and macros only now: the session may begin the
	 * rule calls before the last compile has seen every rule */
	int rc = unused_warnings(s);
	if (rc < 0)
		return rc;
	if (append_checks(s) || version_checks(s, &c->f) || redef_checks(s) || desc_checks(s))
		return FL_ENOMEM;
	return 0;
}
