/* helm.c — rules embedded in a Falco Helm chart values file: each entry of
 * `customRules` becomes a source of its own whose bytes know their position
 * in values.yaml, so every diagnostic lands on the right line there. */
#include <stdlib.h>
#include <string.h>

#include "session.h"

struct entry {
	fl_ynode *key, *val;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return strcmp(x->key->str, y->key->str);
}

int fl_session_add_helm_values(fl_session *s, const char *path, int context)
{
	fl_source *vals;
	int rc = fl_session_read(s, path, context, &vals);
	if (rc || !vals)
		return rc;
	vals->aux = 1;
	fl_ylimits lim = {s->opt.limits.max_yaml_depth, UINT32_MAX, s->opt.limits.max_yaml_aliases};
	fl_ydoc *docs;
	uint32_t ndocs;
	rc = fl_yaml_parse(s->arena, vals, &lim, &s->diags, &docs, &ndocs);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return 0;   /* the syntax error is reported */
	const fl_ynode *root = ndocs ? docs[0].root : NULL;
	fl_ynode *key = NULL;
	fl_ynode *cr = root && root->kind == FL_Y_MAP ? fl_ymap_get(root, "customRules", &key) : NULL;
	if (!cr || (cr->kind == FL_Y_SCALAR && cr->is_null)) {
		fl_span sp = key ? key->span : (fl_span){vals->id, 0, 0};
		fl_diag(&s->diags, FL801, sp, "'%s' has no customRules to check", path);
		return 0;
	}
	if (cr->kind != FL_Y_MAP) {
		fl_diag(&s->diags, FL802, cr->span,
			"customRules must be a map from file name to rules text");
		return 0;
	}
	struct entry *e = fl_arena_alloc(s->arena, sizeof(*e) * (cr->n + 1));
	if (!e)
		return FL_ENOMEM;
	uint32_t n = 0;
	for (uint32_t i = 0; i < cr->n; i++) {
		fl_ynode *k = FL_YKEY(cr, i), *v = FL_YVAL(cr, i);
		if (k->kind != FL_Y_SCALAR) {
			fl_diag(&s->diags, FL802, k->span, "a customRules entry name must be a string");
			continue;
		}
		if (v->kind != FL_Y_SCALAR || v->is_null) {
			fl_diag(&s->diags, FL802, v->span,
				"customRules entry '%s' is not a rules file text (write it as a |- block)",
				k->str);
			continue;
		}
		e[n++] = (struct entry){k, v};
	}
	/* The chart writes the entries as files of one directory, which Falco
	 * reads sorted byte-wise by name. */
	qsort(e, n, sizeof(*e), cmp_entry);
	for (uint32_t i = 0; i < n; i++) {
		/* the chart mounts the entry as /etc/falco/rules.d/<name> */
		if (!fl_falco_loads_name(e[i].key->str))
			fl_diag(&s->diags, FL803, e[i].key->span,
				"customRules entry '%s' is not loaded by Falco: its name must end in .yaml or .yml, with no earlier .yaml or .yml",
				e[i].key->str);
		fl_text *t = fl_arena_alloc(s->arena, sizeof(*t));
		if (!t || fl_yscalar_text(s->arena, vals, e[i].val, t))
			return FL_ENOMEM;
		const char *name = fl_arena_printf(s->arena, "%s:customRules/%s", path, e[i].key->str);
		fl_source *src = name ? fl_session_add_source(s, name, t->s, t->len, context) : NULL;
		if (!src)
			return FL_ENOMEM;
		src->parent = vals;
		src->parent_text = t;
		src->embedded = 1;
	}
	return 0;
}
