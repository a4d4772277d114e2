/* scenario.c — reading scenario files (the built-in catalogue and users'
 * --scenario files) from the YAML tree into scenarios and events, with a
 * diagnostic at the exact span of every malformed part.  The format is
 * described at the top of lib/scenarios/memfd.yaml. */
#include "scenario.h"

#include <string.h>

#include "expr.h"
#include "falcolint.h"
#include "fields.h"
#include "session.h"

/* Generated from the YAML files of lib/scenarios/ by tools/embed.c. */
extern const char *const fl_builtin_scenarios[];
extern const char *const fl_builtin_scenarios_names[];

typedef struct loader {
	fl_scenarios *sc;
	fl_diags *d;
	const fl_source *src;
	int builtin;
	int oom;
} loader;

static const char *const drivers[] = {"modern_bpf", "ebpf", "kmod"};

int fl_driver_parse(const char *name, unsigned *bit)
{
	for (unsigned i = 0; i < 3; i++)
		if (!strcmp(name, drivers[i])) {
			*bit = 1u << i;
			return 0;
		}
	return FL_EUSAGE;
}

int fl_driver_name_valid(const char *name)
{
	unsigned bit;
	return fl_driver_parse(name, &bit) == 0;
}

static const char *kind_name(fl_ykind k)
{
	return k == FL_Y_MAP ? "a map" : k == FL_Y_SEQ ? "a sequence" : "a scalar";
}

/* Records a diagnostic; notes OOM so the caller can stop. */
static fl_dg *err(loader *l, fl_code code, fl_span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static fl_dg *err(loader *l, fl_code code, fl_span sp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fl_dg *g = fl_vdiag(l->d, code, sp, fmt, ap);
	va_end(ap);
	if (!g)
		l->oom = 1;
	return g;
}

/* A non-null scalar's text, or NULL with a diagnostic naming `what`. */
static const char *want_str(loader *l, const fl_ynode *n, const char *what)
{
	if (n->kind != FL_Y_SCALAR || n->is_null) {
		err(l, FL510, n->span, "%s must be a string, not %s", what,
		    n->kind == FL_Y_SCALAR ? "null" : kind_name(n->kind));
		return NULL;
	}
	return n->str;
}

/* Plain scalars are typed as YAML 1.2 core would: true/false, integers;
 * anything quoted is a string.  null means "Falco reports nothing". */
static int scalar_value(loader *l, const fl_ynode *n, fl_value *v)
{
	if (n->is_null && n->style == FL_YS_PLAIN) {
		*v = fl_value_none();
		return 0;
	}
	fl_arena *a = l->sc->arena;
	if (n->style == FL_YS_PLAIN) {
		if (!strcmp(n->str, "true") || !strcmp(n->str, "false"))
			return fl_value_parse(a, FL_V_BOOL, n->str, n->len, v);
		int rc = fl_value_parse(a, FL_V_INT, n->str, n->len, v);
		if (rc != FL_EUSAGE)
			return rc;
	}
	return fl_value_parse(a, FL_V_STR, n->str, n->len, v);
}

static int field_value(loader *l, const fl_ynode *n, const char *key,
		       fl_value *v)
{
	if (n->kind == FL_Y_SCALAR)
		return scalar_value(l, n, v) == FL_ENOMEM ? FL_ENOMEM : 0;
	if (n->kind == FL_Y_MAP) {
		err(l, FL512, n->span, "a map is not a value of field '%s'", key);
		return FL_EUSAGE;
	}
	fl_value *items = fl_arena_alloc(l->sc->arena, (n->n ? n->n : 1) * sizeof(*items));
	if (!items)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < n->n; i++) {
		const fl_ynode *it = n->kids[i];
		if (it->kind != FL_Y_SCALAR || it->is_null) {
			err(l, FL512, it->span,
			    "list items of field '%s' must be strings", key);
			return FL_EUSAGE;
		}
		if (fl_value_parse(l->sc->arena, FL_V_STR, it->str, it->len, &items[i]))
			return FL_ENOMEM;
	}
	fl_value lv = {0};
	lv.kind = FL_V_LIST;
	lv.items = items;
	lv.n = n->n;
	*v = lv;
	return 0;
}

/* Splits "name[arg]" (arg bare or quoted, no blank before '['), checks the
 * field against the catalogue for the scenario's source, and converts the
 * YAML-typed value to the field's type. */
static int check_field(loader *l, const fl_ynode *k, const fl_ynode *v,
		       const char *source, fl_sfield *f)
{
	fl_field_match m;
	fl_field_status st = fl_field_lookup(source, k->str, k->len,
					     FL_VERSION_UNRELEASED, &m);
	/* A field of an older or newer release is still a real field, and an
	 * uncatalogued plugin source cannot be checked. */
	if (st != FL_FIELD_OK && st != FL_FIELD_NOT_YET && st != FL_FIELD_REMOVED &&
	    st != FL_FIELD_UNKNOWN_SOURCE) {
		const char *hint = st == FL_FIELD_UNKNOWN
			? fl_field_suggest(source, k->str, k->len, FL_VERSION_UNRELEASED)
			: NULL;
		fl_dg *g;
		if (st == FL_FIELD_UNKNOWN)
			g = err(l, FL511, k->span, "unknown field '%s'", k->str);
		else if (st == FL_FIELD_OTHER_SOURCE)
			g = err(l, FL511, k->span, "field '%s' is not a field of source '%s'",
				k->str, source);
		else
			g = err(l, FL511, k->span, "invalid field '%s': %s", k->str,
				fl_field_status_text(st));
		if (hint)
			fl_diag_help(l->d, g, "did you mean '%s'?", hint);
		return FL_EUSAGE;
	}
	const char *br = memchr(k->str, '[', k->len);
	size_t nl = br ? (size_t)(br - k->str) : k->len;
	f->key = k->str;
	f->name = fl_arena_strndup(l->sc->arena, k->str, nl);
	if (!f->name)
		return FL_ENOMEM;
	if (br && m.arg) {
		f->arg = fl_arena_strndup(l->sc->arena, m.arg, m.arg_len);
		if (!f->arg)
			return FL_ENOMEM;
	}
	if (!m.field)
		return 0;
	int is_list = (m.field->flags & FL_FF_LIST) && !(br && m.form == FL_FORM_INDEX);
	fl_value *val = &f->value;
	if (val->kind == FL_V_LIST && !is_list) {
		err(l, FL512, v->span, "a list is not a value of field '%s'", k->str);
		return FL_EUSAGE;
	}
	if (is_list && val->kind != FL_V_LIST && val->kind != FL_V_NONE) {
		/* one value of a list field: a list of one */
		fl_value *it = fl_arena_alloc(l->sc->arena, sizeof(*it));
		if (!it)
			return FL_ENOMEM;
		*it = *val;
		memset(val, 0, sizeof(*val));
		val->kind = FL_V_LIST;
		val->items = it;
		val->n = 1;
	}
	fl_vkind kind = fl_vkind_of_ftype((int)m.type);
	if (kind == FL_V_UNKNOWN)
		return 0;
	fl_value out;
	int rc = fl_value_coerce(l->sc->arena, val, kind, &out);
	if (rc == FL_EUSAGE) {
		err(l, FL512, v->span, "'%s' is not a value of field '%s' (%s)",
		    v->kind == FL_Y_SCALAR ? v->str : "list", k->str,
		    fl_type_name(m.type));
		return FL_EUSAGE;
	}
	if (rc)
		return rc;
	*val = out;
	return 0;
}

static int load_fields(loader *l, const fl_ynode *m, const char *source,
		       fl_sevent *e)
{
	if (m->kind != FL_Y_MAP) {
		err(l, FL510, m->span, "'fields' must be a map, not %s", kind_name(m->kind));
		return FL_EUSAGE;
	}
	e->fields = fl_arena_alloc(l->sc->arena, (m->n ? m->n : 1) * sizeof(fl_sfield));
	if (!e->fields)
		return FL_ENOMEM;
	int bad = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		const fl_ynode *k = FL_YKEY(m, i), *v = FL_YVAL(m, i);
		if (k->kind != FL_Y_SCALAR || k->is_null) {
			err(l, FL511, k->span, "a field name must be a string");
			bad = 1;
			continue;
		}
		fl_sfield f = {0};
		f.span = k->span;
		f.value_span = v->span;
		int rc = field_value(l, v, k->str, &f.value);
		if (rc == 0)
			rc = check_field(l, k, v, source, &f);
		if (rc == FL_ENOMEM)
			return rc;
		if (rc) {
			bad = 1;
			continue;
		}
		const fl_sfield *prev = fl_sevent_field(e, f.name, f.arg);
		if (prev) {
			fl_dg *g = err(l, FL513, k->span,
				       "field '%s' given twice in event '%s'", f.key, e->name);
			fl_diag_note(l->d, g, prev->span, "first given here");
			bad = 1;
			continue;
		}
		e->fields[e->nfields++] = f;
	}
	return bad ? FL_EUSAGE : 0;
}

static int load_drivers(loader *l, const fl_ynode *n, fl_sevent *e)
{
	const fl_ynode *one = n;
	uint32_t cnt = 1;
	if (n->kind == FL_Y_SEQ)
		cnt = n->n;
	else if (n->kind != FL_Y_SCALAR) {
		err(l, FL510, n->span, "'driver' must be a driver name or a list of them");
		return FL_EUSAGE;
	}
	for (uint32_t i = 0; i < cnt; i++) {
		if (n->kind == FL_Y_SEQ)
			one = n->kids[i];
		unsigned bit;
		if (one->kind != FL_Y_SCALAR || one->is_null ||
		    fl_driver_parse(one->str, &bit)) {
			err(l, FL514, one->span,
			    "unknown driver '%s', expected modern_bpf, ebpf or kmod",
			    one->kind == FL_Y_SCALAR && one->str ? one->str : "");
			return FL_EUSAGE;
		}
		e->drivers |= bit;
	}
	return 0;
}

static int load_event(loader *l, const fl_ynode *m, fl_scenario *sc)
{
	if (m->kind != FL_Y_MAP) {
		err(l, FL510, m->span, "an event of scenario '%s' must be a map, not %s",
		    sc->name, kind_name(m->kind));
		return FL_EUSAGE;
	}
	fl_sevent e = {0};
	fl_ynode *kname;
	const fl_ynode *name = fl_ymap_get(m, "name", &kname);
	if (!name) {
		err(l, FL510, m->span, "missing key 'name' in an event of scenario '%s'",
		    sc->name);
		return FL_EUSAGE;
	}
	if (!(e.name = want_str(l, name, "an event's 'name'")))
		return FL_EUSAGE;
	e.span = name->span;
	for (uint32_t i = 0; i < sc->nevents; i++)
		if (!strcmp(sc->events[i].name, e.name)) {
			fl_dg *g = err(l, FL513, name->span,
				       "event '%s' defined twice in scenario '%s'",
				       e.name, sc->name);
			fl_diag_note(l->d, g, sc->events[i].span, "first defined here");
			return FL_EUSAGE;
		}
	int bad = 0, have_fields = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		const fl_ynode *k = FL_YKEY(m, i), *v = FL_YVAL(m, i);
		const char *key = k->kind == FL_Y_SCALAR ? k->str : NULL;
		int rc = 0;
		if (key && !strcmp(key, "name")) {
			if (k != kname) {
				err(l, FL513, k->span, "key 'name' given twice in event '%s'", e.name);
				bad = 1;
			}
			continue;
		}
		for (uint32_t j = 0; key && j < i; j++) {
			const fl_ynode *pk = FL_YKEY(m, j);
			if (pk->kind == FL_Y_SCALAR && !strcmp(pk->str, key)) {
				err(l, FL513, k->span, "key '%s' given twice in event '%s'",
				    key, e.name);
				key = NULL;
				bad = 1;
				break;
			}
		}
		if (!key) {
			if (k->kind != FL_Y_SCALAR) {
				err(l, FL510, k->span, "keys of an event must be strings");
				bad = 1;
			}
			continue;
		}
		if (!strcmp(key, "driver")) {
			rc = load_drivers(l, v, &e);
		} else if (!strcmp(key, "note")) {
			rc = (e.note = want_str(l, v, "'note'")) ? 0 : FL_EUSAGE;
		} else if (!strcmp(key, "fields")) {
			have_fields = 1;
			rc = load_fields(l, v, sc->source, &e);
		} else {
			err(l, FL510, k->span, "unknown key '%s' in event '%s' (expected name, driver, note, fields)",
			    key, e.name);
			rc = FL_EUSAGE;
		}
		if (rc == FL_ENOMEM)
			return rc;
		if (rc)
			bad = 1;
	}
	if (!have_fields) {
		err(l, FL510, name->span, "missing key 'fields' in event '%s'", e.name);
		bad = 1;
	}
	const fl_sfield *type = fl_sevent_field(&e, "evt.type", NULL);
	if (type && type->value.kind == FL_V_STR)
		e.evt_type = fl_evttype_index(type->value.s, type->value.len) + 1;
	/* Kept even when malformed (the scenario is then dropped as a whole),
	 * so that a second event of the same name is still reported. */
	sc->events[sc->nevents++] = e;
	return bad ? FL_EUSAGE : 0;
}

static int load_strings(loader *l, const fl_ynode *n, const char *what,
			const char ***out, uint32_t *nout)
{
	uint32_t cnt = n->kind == FL_Y_SEQ ? n->n : 1;
	if (n->kind == FL_Y_MAP) {
		err(l, FL510, n->span, "'%s' must be a list of strings, not a map", what);
		return FL_EUSAGE;
	}
	const char **v = fl_arena_alloc(l->sc->arena, (cnt ? cnt : 1) * sizeof(*v));
	if (!v)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < cnt; i++) {
		const fl_ynode *it = n->kind == FL_Y_SEQ ? n->kids[i] : n;
		if (!(v[i] = want_str(l, it, what)))
			return FL_EUSAGE;
	}
	*out = v;
	*nout = cnt;
	return 0;
}

static int load_exempt(loader *l, const fl_ynode *n, fl_scenario *sc)
{
	uint32_t cnt = n->kind == FL_Y_SEQ ? n->n : 1;
	if (n->kind == FL_Y_MAP) {
		err(l, FL510, n->span, "'exempt' must be a list of conditions, not a map");
		return FL_EUSAGE;
	}
	sc->exempt = fl_arena_alloc(l->sc->arena, (cnt ? cnt : 1) * sizeof(fl_sexempt));
	if (!sc->exempt)
		return FL_ENOMEM;
	for (uint32_t i = 0; i < cnt; i++) {
		const fl_ynode *it = n->kind == FL_Y_SEQ ? n->kids[i] : n;
		const char *c = want_str(l, it, "an 'exempt' condition");
		if (!c)
			return FL_EUSAGE;
		/* Parsed now so that a broken condition is reported where it
		 * is written, not when a fix would use it. */
		fl_expr_errors errs = {0};
		if (!fl_expr_parse(l->sc->arena, c, it->len, 0, &errs))
			return FL_ENOMEM;
		if (errs.n) {
			fl_text t;
			fl_span sp = it->span;
			if (fl_yscalar_text(l->sc->arena, l->src, it, &t) == 0 && t.runs)
				sp = fl_text_span(&t, errs.v[0].start,
						  errs.v[0].end > errs.v[0].start ? errs.v[0].end
										  : errs.v[0].start + 1);
			err(l, FL515, sp, "exempt condition of scenario '%s' does not parse: %s",
			    sc->name, errs.v[0].msg);
			return FL_EUSAGE;
		}
		sc->exempt[sc->nexempt++] = (fl_sexempt){c, it, l->src};
	}
	return 0;
}

/* One scenario map; returns 0 (kept), FL_EUSAGE (skipped) or FL_ENOMEM. */
static int load_scenario(loader *l, const fl_ynode *m)
{
	if (m->kind != FL_Y_MAP) {
		err(l, FL510, m->span, "a scenario must be a map, not %s", kind_name(m->kind));
		return FL_EUSAGE;
	}
	fl_ynode *kname;
	const fl_ynode *name = fl_ymap_get(m, "scenario", &kname);
	if (!name) {
		err(l, FL510, m->span, "missing key 'scenario' (the scenario's name)");
		return FL_EUSAGE;
	}
	fl_scenario *sc = fl_arena_alloc(l->sc->arena, sizeof(*sc));
	if (!sc)
		return FL_ENOMEM;
	if (!(sc->name = want_str(l, name, "'scenario'")))
		return FL_EUSAGE;
	sc->span = name->span;
	sc->src = l->src;
	sc->builtin = l->builtin;
	sc->source = "syscall";
	const fl_scenario *prev = fl_scenarios_find(l->sc, sc->name);
	if (prev) {
		fl_dg *g = err(l, FL513, name->span, "scenario '%s' defined twice", sc->name);
		fl_diag_item(g, "scenario", sc->name);
		fl_diag_note(l->d, g, prev->span, "first defined here");
		return FL_EUSAGE;
	}

	int bad = 0, have_kind = 0;
	const fl_ynode *events = NULL, *exempt = NULL;
	for (uint32_t i = 0; i < m->n; i++) {
		const fl_ynode *k = FL_YKEY(m, i), *v = FL_YVAL(m, i);
		if (k->kind != FL_Y_SCALAR || k->is_null) {
			err(l, FL510, k->span, "keys of a scenario must be strings");
			bad = 1;
			continue;
		}
		const char *key = k->str;
		int dup = 0;
		for (uint32_t j = 0; j < i && !dup; j++) {
			const fl_ynode *pk = FL_YKEY(m, j);
			dup = pk->kind == FL_Y_SCALAR && pk->str && !strcmp(pk->str, key);
		}
		if (dup) {
			err(l, FL513, k->span, "key '%s' given twice in scenario '%s'", key,
			    sc->name);
			bad = 1;
			continue;
		}
		int rc = 0;
		if (!strcmp(key, "scenario")) {
			continue;
		} else if (!strcmp(key, "kind")) {
			const char *kd = want_str(l, v, "'kind'");
			have_kind = 1;
			if (!kd) {
				rc = FL_EUSAGE;
			} else if (!strcmp(kd, "benign")) {
				sc->kind = FL_SCEN_BENIGN;
			} else if (!strcmp(kd, "malicious")) {
				sc->kind = FL_SCEN_MALICIOUS;
			} else {
				err(l, FL510, v->span,
				    "unknown kind '%s', expected benign or malicious", kd);
				rc = FL_EUSAGE;
			}
		} else if (!strcmp(key, "summary")) {
			rc = (sc->summary = want_str(l, v, "'summary'")) ? 0 : FL_EUSAGE;
		} else if (!strcmp(key, "source")) {
			rc = (sc->source = want_str(l, v, "'source'")) ? 0 : FL_EUSAGE;
		} else if (!strcmp(key, "references")) {
			rc = load_strings(l, v, "references", &sc->refs, &sc->nrefs);
		} else if (!strcmp(key, "exempt")) {
			exempt = v;
		} else if (!strcmp(key, "events")) {
			events = v;
		} else {
			err(l, FL510, k->span,
			    "unknown key '%s' in scenario '%s' (expected kind, summary, "
			    "references, source, exempt, events)", key, sc->name);
			rc = FL_EUSAGE;
		}
		if (rc == FL_ENOMEM)
			return rc;
		if (rc)
			bad = 1;
	}
	if (!have_kind) {
		err(l, FL510, name->span, "missing key 'kind' in scenario '%s'", sc->name);
		bad = 1;
	}
	if (exempt) {
		int rc = 0;
		if (have_kind && sc->kind == FL_SCEN_MALICIOUS) {
			err(l, FL510, exempt->span,
			    "'exempt' is only meaningful for a benign scenario ('%s' is malicious)",
			    sc->name);
			rc = FL_EUSAGE;
		} else {
			rc = load_exempt(l, exempt, sc);
		}
		if (rc == FL_ENOMEM)
			return rc;
		if (rc)
			bad = 1;
	}
	if (!events) {
		err(l, FL510, name->span, "missing key 'events' in scenario '%s'", sc->name);
		bad = 1;
	} else if (events->kind != FL_Y_SEQ || events->n == 0) {
		err(l, FL510, events->span,
		    "'events' of scenario '%s' must be a non-empty list of events", sc->name);
		bad = 1;
	} else {
		sc->events = fl_arena_alloc(l->sc->arena, events->n * sizeof(fl_sevent));
		if (!sc->events)
			return FL_ENOMEM;
		for (uint32_t i = 0; i < events->n; i++) {
			int rc = load_event(l, events->kids[i], sc);
			if (rc == FL_ENOMEM)
				return rc;
			if (rc)
				bad = 1;
		}
	}
	if (l->oom)
		return FL_ENOMEM;
	if (bad)
		return FL_EUSAGE;
	return FL_VEC_PUSH(l->sc->arena, l->sc->list, sc) ? FL_ENOMEM : 0;
}

int fl_scenarios_load(fl_scenarios *sc, fl_diags *d, const fl_source *src,
		      const fl_ydoc *docs, uint32_t ndocs, int builtin)
{
	loader l = {sc, d, src, builtin, 0};
	for (uint32_t i = 0; i < ndocs; i++) {
		const fl_ynode *root = docs[i].root;
		if (!root || (root->kind == FL_Y_SCALAR && root->is_null))
			continue;
		if (root->kind != FL_Y_SEQ) {
			err(&l, FL510, root->span,
			    "a scenario file must be a list of scenarios, not %s",
			    kind_name(root->kind));
			continue;
		}
		for (uint32_t j = 0; j < root->n; j++)
			if (load_scenario(&l, root->kids[j]) == FL_ENOMEM)
				return FL_ENOMEM;
	}
	return l.oom ? FL_ENOMEM : 0;
}

int fl_scenarios_load_source(fl_scenarios *sc, fl_diags *d,
			     const fl_source *src, const fl_ylimits *lim,
			     int builtin)
{
	fl_ydoc *docs = NULL;
	uint32_t ndocs = 0;
	int rc = fl_yaml_parse(sc->arena, src, lim, d, &docs, &ndocs);
	if (rc == FL_ENOMEM)
		return rc;
	if (rc)
		return 0; /* the YAML layer reported it; nothing is loaded */
	return fl_scenarios_load(sc, d, src, docs, ndocs, builtin);
}

const fl_scenario *fl_scenarios_find(const fl_scenarios *sc, const char *name)
{
	for (size_t i = 0; i < sc->list.n; i++)
		if (!strcmp(sc->list.v[i]->name, name))
			return sc->list.v[i];
	return NULL;
}

const fl_sfield *fl_sevent_field(const fl_sevent *e, const char *name,
				 const char *arg)
{
	for (uint32_t i = 0; i < e->nfields; i++) {
		const fl_sfield *f = &e->fields[i];
		if (strcmp(f->name, name))
			continue;
		if (!arg ? !f->arg : f->arg && !strcmp(f->arg, arg))
			return f;
	}
	return NULL;
}

int fl_sevent_has_driver(const fl_sevent *e, unsigned drv)
{
	return !drv || !e->drivers || (e->drivers & drv);
}

/* ---- session glue ------------------------------------------------------- */

static int build_views(fl_session *s, fl_scenarios *sc);

fl_scenarios *fl_session_scenarios(fl_session *s)
{
	if (!s->scen) {
		s->scen = fl_arena_alloc(s->arena, sizeof(*s->scen));
		if (s->scen)
			s->scen->arena = s->arena;
	}
	return s->scen;
}

int fl_session_add_scenario(fl_session *s, const char *path)
{
	fl_scenarios *sc = fl_session_scenarios(s);
	if (!sc)
		return FL_ENOMEM;
	fl_source *src = NULL;
	int rc = fl_session_read(s, path, 0, &src);
	if (rc || !src)
		return rc;
	src->aux = 1; /* in the source table for positions, not a rules file */
	return FL_VEC_PUSH(s->arena, sc->pending, src) ? FL_ENOMEM : 0;
}

int fl_session_load_scenarios(fl_session *s)
{
	fl_scenarios *sc = fl_session_scenarios(s);
	if (!sc)
		return FL_ENOMEM;
	if (sc->loaded)
		return 0;
	sc->loaded = 1;
	fl_ylimits lim = {
		.max_depth = s->opt.limits.max_yaml_depth,
		.max_nodes = UINT32_MAX,
		.max_aliases = s->opt.limits.max_yaml_aliases,
	};
	/* The built-in catalogue is our own data: the user's limits (meant for
	 * hostile input, possibly set very low) do not apply to it. */
	const fl_ylimits builtin_lim = {256, UINT32_MAX, 10000};
	for (size_t i = 0; fl_builtin_scenarios[i]; i++) {
		const char *path = fl_arena_printf(s->arena, "<builtin>/%s",
						   fl_builtin_scenarios_names[i]);
		if (!path)
			return FL_ENOMEM;
		fl_source *src = fl_session_add_source(s, path, fl_builtin_scenarios[i],
						       strlen(fl_builtin_scenarios[i]), 0);
		if (!src)
			return FL_ENOMEM;
		src->aux = 1;
		int rc = fl_scenarios_load_source(sc, &s->diags, src, &builtin_lim, 1);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < sc->pending.n; i++) {
		int rc = fl_scenarios_load_source(sc, &s->diags, sc->pending.v[i], &lim, 0);
		if (rc)
			return rc;
	}
	return build_views(s, sc);
}


int fl_session_only_scenario(fl_session *s, const char *name)
{
	fl_scenarios *sc = fl_session_scenarios(s);
	if (!sc)
		return FL_ENOMEM;
	sc->only = NULL;
	if (name && !(sc->only = fl_arena_strdup(s->arena, name)))
		return FL_ENOMEM;
	return 0;
}

void fl_session_keep_evaluation(fl_session *s)
{
	fl_scenarios *sc = fl_session_scenarios(s);
	if (sc)
		sc->keep_eval = 1;
}

/* The drivers of an event as a list of names; "" when every driver. */
static const char *drivers_text(fl_arena *a, unsigned bits)
{
	const char *t = "";
	for (unsigned i = 0; i < 3 && t; i++)
		if (bits & (1u << i))
			t = *t ? fl_arena_printf(a, "%s, %s", t, drivers[i]) : drivers[i];
	return t;
}

/* Builds the views of every loaded scenario (once, after loading). */
static int build_views(fl_session *s, fl_scenarios *sc)
{
	fl_arena *a = s->arena;
	sc->views = fl_arena_alloc(a, (sc->list.n + 1) * sizeof(*sc->views));
	if (!sc->views)
		return FL_ENOMEM;
	for (size_t i = 0; i < sc->list.n; i++) {
		const fl_scenario *x = sc->list.v[i];
		fl_scenario_view *v = &sc->views[i];
		const char **names = fl_arena_alloc(a, (x->nevents + 1) * sizeof(*names));
		const char **drv = fl_arena_alloc(a, (x->nevents + 1) * sizeof(*drv));
		if (!names || !drv)
			return FL_ENOMEM;
		for (uint32_t k = 0; k < x->nevents; k++) {
			names[k] = x->events[k].name;
			if (!(drv[k] = drivers_text(a, x->events[k].drivers)))
				return FL_ENOMEM;
		}
		v->name = x->name;
		v->kind = x->kind == FL_SCEN_BENIGN ? "benign" : "malicious";
		v->summary = x->summary;
		v->source = x->source ? x->source : "syscall";
		v->file = x->src ? x->src->path : NULL;
		v->builtin = x->builtin;
		v->nrefs = x->nrefs;
		v->refs = x->refs;
		v->nvariants = x->nevents;
		v->variants = names;
		v->variant_drivers = drv;
	}
	sc->nviews = sc->list.n;
	return 0;
}

size_t fl_session_nscenarios(const fl_session *s)
{
	return s->scen ? s->scen->nviews : 0;
}

const fl_scenario_view *fl_session_scenario_at(const fl_session *s, size_t i)
{
	return s->scen && i < s->scen->nviews ? &s->scen->views[i] : NULL;
}
