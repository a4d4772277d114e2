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

/* A condition as compiled (macro or rule) and who owns it. */
typedef struct cond_ref {
	const fl_expr *ast;
	const fl_text *text;
	const char *kind, *name;
} cond_ref;

typedef FL_VEC(cond_ref) cond_refs;

/* Every parsed macro and rule condition, macros first. */
static int all_conds(fl_session *s, cond_refs *out)
{
	fl_ruleset *rs = s->rs;
	for (size_t i = 0; i < rs->macros.n; i++) {
		const fl_cmacro *cm = rs->macros.v[i]->compiled;
		if (!cm || !cm->ast)
			continue;
		cond_ref c = {cm->ast, &cm->text, "macro", cm->m->c.name};
		if (FL_VEC_PUSH(s->arena, *out, c))
			return FL_ENOMEM;
	}
	for (size_t i = 0; i < rs->rules.n; i++) {
		const fl_crule *cr = rs->rules.v[i]->compiled;
		if (!cr || !cr->ast)
			continue;
		cond_ref c = {cr->ast, &cr->text, "rule", cr->r->c.name};
		if (FL_VEC_PUSH(s->arena, *out, c))
			return FL_ENOMEM;
	}
	return 0;
}

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
		uint32_t raw = v->text_start + (v->quoted ? 1u : 0u) + (uint32_t)eoff;
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
	return l && l->kind == FL_OPERAND_FIELD && !l->has_arg && !strcmp(l->text, "evt.type");
}

/* Regexes and event types of every condition (own nodes only: a macro's
 * text is checked once, as the macro). */
static int value_checks(fl_session *s, const cond_refs *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		const cond_ref *c = &cs->v[i];
		fl_expr_iter *it = fl_expr_iter_new(s->arena, c->ast);
		if (!it)
			return FL_ENOMEM;
		const fl_expr *e;
		fl_expr_event ev;
		while ((ev = fl_expr_iter_next(it, &e)) != FL_EXPR_EV_DONE) {
			if (ev == FL_EXPR_EV_OOM)
				return FL_ENOMEM;
			if (ev != FL_EXPR_EV_ENTER || e->kind != FL_EXPR_CHECK || !e->u.check.rhs)
				continue;
			const fl_operand *r = e->u.check.rhs;
			const fl_operand *const *vals = &r;
			uint32_t nv = 1;
			if (r->kind == FL_OPERAND_LIST) {
				vals = (const fl_operand *const *)r->items;
				nv = r->nitems;
			}
			for (uint32_t k = 0; k < nv; k++) {
				const fl_operand *v = vals[k];
				if (v->kind != FL_OPERAND_VALUE && v->kind != FL_OPERAND_IDENT)
					continue;
				int rc = 0;
				if (e->u.check.op == FL_EXPR_OP_REGEX)
					rc = check_regex(s, c, v);
				else if (is_evttype_field(e->u.check.lhs))
					rc = check_evttype(s, c, v);
				if (rc)
					return rc;
			}
		}
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
		if (r->cond_appends.n &&
		    append_check(s, "rule", r->c.name, &r->cond_def, r->cond_appends.v, r->cond_appends.n))
			return FL_ENOMEM;
	}
	return 0;
}

/* ---- features newer than the file's required_engine_version ------------ */

typedef struct feat_use {
	const char *what;     /* "operator 'regex'", "field 'fd.nameraw'" */
	fl_version need;      /* first Falco release that has it */
	fl_span span;
	int target_checked;   /* conditions: already checked against the target */
} feat_use;

typedef FL_VEC(feat_use) feat_uses;

static int use(fl_session *s, feat_uses *u, const char *what, fl_version need, fl_span sp,
	       int tc)
{
	if (sp.src == UINT32_MAX || !fl_version_cmp(need, FL_VERSION_MAKE(0, 0, 0)))
		return 0;
	feat_use f = {what, need, sp, tc};
	return FL_VEC_PUSH(s->arena, *u, f) ? FL_ENOMEM : 0;
}

static int operand_uses(fl_session *s, feat_uses *u, const cond_ref *c, const char *source,
			const fl_operand *o, unsigned depth)
{
	if (depth > FL_EXPR_MAX_DEPTH)
		return 0;
	fl_span sp = fl_text_span(c->text, o->start, o->end);
	if (o->kind == FL_OPERAND_TRANSFORMER) {
		const char *tn = fl_expr_tr_name(o->tr);
		int x = fl_xform_lookup(tn, strlen(tn));
		if (x >= 0 && use(s, u, fl_arena_printf(s->arena, "transformer '%s'", tn),
				  fl_xform_get((fl_xform)x)->since, sp, 1))
			return FL_ENOMEM;
		for (uint32_t i = 0; i < o->nitems; i++)
			if (operand_uses(s, u, c, source, o->items[i], depth + 1))
				return FL_ENOMEM;
	} else if (o->kind == FL_OPERAND_FIELD) {
		fl_field_match m;
		fl_field_status st = fl_field_resolve(source, o->text, o->len, o->has_arg ? o->arg : NULL,
						      o->has_arg ? o->arg_len : 0, FL_VERSION_UNRELEASED, &m);
		if (st == FL_FIELD_OK && m.field &&
		    use(s, u, fl_arena_printf(s->arena, "field '%s'", m.field->name), m.field->since, sp, 1))
			return FL_ENOMEM;
	}
	return 0;
}

static int cond_uses(fl_session *s, feat_uses *u, const cond_ref *c, const char *source)
{
	fl_expr_iter *it = fl_expr_iter_new(s->arena, c->ast);
	if (!it)
		return FL_ENOMEM;
	const fl_expr *e;
	fl_expr_event ev;
	while ((ev = fl_expr_iter_next(it, &e)) != FL_EXPR_EV_DONE) {
		if (ev == FL_EXPR_EV_OOM)
			return FL_ENOMEM;
		if (ev != FL_EXPR_EV_ENTER || e->kind != FL_EXPR_CHECK)
			continue;
		fl_span osp = fl_text_span(c->text, e->u.check.op_start, e->u.check.op_end);
		const char *opn = fl_expr_op_name(e->u.check.op);
		int op = fl_op_lookup(opn, strlen(opn));
		if (op >= 0 && use(s, u, fl_arena_printf(s->arena, "operator '%s'", opn),
				   fl_op_since((fl_op)op), osp, 1))
			return FL_ENOMEM;
		if (e->u.check.mod != FL_EXPR_MOD_NONE) {
			const char *mn = fl_expr_mod_name(e->u.check.mod);
			int m = fl_modifier_lookup(mn, strlen(mn));
			if (m >= 0 && use(s, u, fl_arena_printf(s->arena, "modifier '%s'", mn),
					  fl_modifier_since((fl_modifier)m), osp, 1))
				return FL_ENOMEM;
		}
		if (e->u.check.lhs && operand_uses(s, u, c, source, e->u.check.lhs, 0))
			return FL_ENOMEM;
		const fl_operand *r = e->u.check.rhs;
		if (r && (r->kind == FL_OPERAND_FIELD || r->kind == FL_OPERAND_TRANSFORMER)) {
			if (use(s, u, "comparing with a field (val())",
				fl_feature_min_falco(FL_FEAT_FIELD_RHS),
				fl_text_span(c->text, r->start, r->end), 1) ||
			    operand_uses(s, u, c, source, r, 0))
				return FL_ENOMEM;
		}
	}
	return 0;
}

/* The highest required_engine_version written in source `src` (a plain
 * scan of its item lines); 0 if none. */
static int file_required_engine(const fl_source *src, fl_version *out, fl_span *sp)
{
	const char *p = src->data, *end = src->data + src->len;
	int found = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;
		while (q < le && (*q == ' ' || *q == '-' || *q == '\t'))
			q++;
		static const char key[] = "required_engine_version";
		if ((size_t)(le - q) > sizeof key && !memcmp(q, key, sizeof key - 1) &&
		    q[sizeof key - 1] == ':') {
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
				*sp = (fl_span){src->id, (uint32_t)(v - src->data), (uint32_t)(ve - src->data)};
				found = 1;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return found;
}

static int version_checks(fl_session *s, const cond_refs *cs)
{
	fl_ruleset *rs = s->rs;
	fl_version target = fl_compile_target(s);
	feat_uses u = {0};
	/* rules-format features, from the contributions */
	fl_version ov = fl_feature_min_falco(FL_FEAT_OVERRIDE);
	fl_version ex = fl_feature_min_falco(FL_FEAT_EXCEPTIONS);
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		for (size_t k = 0; k < r->c.contribs.n; k++) {
			fl_contrib_kind kd = r->c.contribs.v[k].kind;
			if ((kd == FL_CONTRIB_OVERRIDE_APPEND || kd == FL_CONTRIB_OVERRIDE_REPLACE) &&
			    use(s, &u, "'override'", ov, r->c.contribs.v[k].span, 0))
				return FL_ENOMEM;
		}
		for (size_t k = 0; k < r->exceptions.n; k++)
			if (use(s, &u, "'exceptions'", ex, r->exceptions.v[k].span, 0))
				return FL_ENOMEM;
	}
	for (size_t i = 0; i < rs->macros.n; i++) {
		fl_macro *m = rs->macros.v[i];
		for (size_t k = 0; k < m->c.contribs.n; k++)
			if (m->c.contribs.v[k].kind == FL_CONTRIB_OVERRIDE_APPEND &&
			    use(s, &u, "'override'", ov, m->c.contribs.v[k].span, 0))
				return FL_ENOMEM;
	}
	for (size_t i = 0; i < rs->lists.n; i++) {
		fl_list *l = rs->lists.v[i];
		for (size_t k = 0; k < l->c.contribs.n; k++)
			if (l->c.contribs.v[k].kind == FL_CONTRIB_OVERRIDE_APPEND &&
			    use(s, &u, "'override'", ov, l->c.contribs.v[k].span, 0))
				return FL_ENOMEM;
	}
	for (size_t i = 0; i < cs->n; i++) {
		const char *source = "syscall";
		if (!strcmp(cs->v[i].kind, "rule")) {
			fl_rule *r = fl_ruleset_rule(rs, cs->v[i].name, (uint32_t)strlen(cs->v[i].name));
			if (r && r->source)
				source = r->source;
		}
		if (cond_uses(s, &u, &cs->v[i], source))
			return FL_ENOMEM;
	}
	/* per file: its required engine, as the oldest Falco that satisfies it */
	size_t nsrc = s->sources.n;
	for (size_t f = 0; f < nsrc; f++) {
		const fl_source *src = s->sources.v[f];
		fl_version req;
		fl_span rsp;
		int has = !src->context && !src->failed && !src->aux && src->data &&
			  file_required_engine(src, &req, &rsp);
		const fl_release *rel = has ? fl_release_for_engine(req) : NULL;
		FL_VEC(const char *) said = {0};
		for (size_t i = 0; i < u.n; i++) {
			const feat_use *fu = &u.v[i];
			if (fu->span.src != src->id || src->context)
				continue;
			/* one diagnostic per feature and file */
			size_t k;
			for (k = 0; k < said.n && strcmp(said.v[k], fu->what); k++)
				;
			if (k < said.n)
				continue;
			char b1[32], b2[32], b3[32];
			if (!fu->target_checked && fl_version_cmp(fu->need, target) > 0) {
				fl_dg *g = fl_diag(&s->diags, FL124, fu->span,
						   "%s needs Falco %s or newer, but the target is %s", fu->what,
						   fl_version_str(fu->need, b1, sizeof b1),
						   fl_version_str(target, b2, sizeof b2));
				if (!g || FL_VEC_PUSH(s->arena, said, fu->what))
					return FL_ENOMEM;
				continue;
			}
			if (rel && fl_version_cmp(fu->need, rel->falco) > 0) {
				const fl_release *nr = fl_release_for(fu->need, NULL);
				fl_dg *g = fl_diag(&s->diags, FL123, fu->span,
						   "%s needs Falco %s, newer than the file's required_engine_version %s (Falco %s)",
						   fu->what, fl_version_str(fu->need, b1, sizeof b1),
						   fl_version_str(req, b2, sizeof b2),
						   fl_version_str(rel->falco, b3, sizeof b3));
				if (!g || FL_VEC_PUSH(s->arena, said, fu->what))
					return FL_ENOMEM;
				fl_diag_note(&s->diags, g, rsp, "the file requires engine %s here",
					     fl_version_str(req, b2, sizeof b2));
				if (nr)
					fl_diag_help(&s->diags, g, "require engine %s or newer",
						     fl_version_str(nr->engine, b3, sizeof b3));
			}
		}
	}
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

static int desc_checks(fl_session *s)
{
	fl_ruleset *rs = s->rs;
	for (size_t i = 0; i < rs->rules.n; i++) {
		fl_rule *r = rs->rules.v[i];
		const char *d = r->desc.s;
		size_t n = r->desc.len;
		for (size_t k = 0; k < n; k++) {
			const char *kind = word_at(d, n, k, "macro") ? "macro"
					   : word_at(d, n, k, "list") ? "list" : NULL;
			if (!kind)
				continue;
			size_t kl = strlen(kind);
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
			fl_dg *g = fl_diag(&s->diags, FL073, m->c.name_span,
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
		fl_dg *g = fl_diag(&s->diags, FL074, l->c.name_span,
				   "list '%s' is not used by any rule, macro or list", l->c.name);
		if (!g)
			return FL_ENOMEM;
		fl_diag_item(g, "list", l->c.name);
	}
	return 0;
}

/* Runs the whole-ruleset checks once every file was compiled; findings
 * are diagnostics, returns 0 or FL_ENOMEM. */
int fl_checks_finish(fl_session *s)
{
	if (!s->rs)
		return 0;
	int rc = unused_warnings(s);
	if (rc < 0)
		return rc;
	cond_refs cs = {0};
	if (all_conds(s, &cs) || value_checks(s, &cs) || append_checks(s) ||
	    version_checks(s, &cs) || redef_checks(s) || desc_checks(s))
		return FL_ENOMEM;
	return 0;
}
