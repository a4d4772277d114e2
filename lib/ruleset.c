/* ruleset.c — storage of the effective ruleset: name tables, insertion in
 * first-definition order, contribution chains, Falco's text join, priority
 * names and the set of known event sources.  The rules of *when* to define,
 * append or replace live in load.c; nothing here raises a diagnostic. */
#include "ruleset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "falcolint.h"
#include "hash.h"

/* Sources a stock Falco with the official plugins provides.  An offline
 * linter cannot know which plugins the user loads; taking the official
 * plugin sources as known avoids a warning on every plugin rules file, and
 * a source outside this set is still reported (LOAD_UNKNOWN_SOURCE). */
static const char *const builtin_sources[] = {
	"syscall", "k8s_audit", "aws_cloudtrail", "okta", "github", "gcp_auditlog",
};

/* Plugins whose event source is named differently from the plugin.  A
 * plugin required by a rules file and absent from this table is taken to
 * provide a source of its own name, except for the field-extraction-only
 * plugins listed with a NULL source. */
static const struct {
	const char *plugin, *source;
} plugin_sources[] = {
	{"k8saudit", "k8s_audit"},       {"k8saudit-eks", "k8s_audit"},
	{"k8saudit-gke", "k8s_audit"},   {"k8saudit-aks", "k8s_audit"},
	{"k8saudit-ovh", "k8s_audit"},   {"cloudtrail", "aws_cloudtrail"},
	{"gcpaudit", "gcp_auditlog"},    {"json", NULL},
	{"container", NULL},             {"k8smeta", NULL},
};

static uint32_t hash_name(const char *s, uint32_t len)
{
	return (uint32_t)fl_hash_bytes(FL_HASH_INIT, s, len);
}

/* The name of element i of a vector the table indexes. */
typedef const char *(*name_at_fn)(const void *vec, uint32_t i, uint32_t *len);

static const char *list_at(const void *v, uint32_t i, uint32_t *len)
{
	const fl_item_common *c = &((fl_list *const *)v)[i]->c;
	*len = c->name_len;
	return c->name;
}
static const char *macro_at(const void *v, uint32_t i, uint32_t *len)
{
	const fl_item_common *c = &((fl_macro *const *)v)[i]->c;
	*len = c->name_len;
	return c->name;
}
static const char *rule_at(const void *v, uint32_t i, uint32_t *len)
{
	const fl_item_common *c = &((fl_rule *const *)v)[i]->c;
	*len = c->name_len;
	return c->name;
}
static const char *source_at(const void *v, uint32_t i, uint32_t *len)
{
	const char *s = ((const char *const *)v)[i];
	*len = (uint32_t)strlen(s);
	return s;
}

static int tab_find(const fl_nametab *t, const void *vec, name_at_fn at,
		    const char *name, uint32_t len)
{
	if (!t->cap)
		return -1;
	uint32_t mask = t->cap - 1, h = hash_name(name, len);
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		const fl_nameslot *sl = &t->slot[i];
		if (!sl->idx)
			return -1;
		if (sl->hash != h)
			continue;
		uint32_t n;
		const char *s = at(vec, sl->idx - 1, &n);
		if (n == len && memcmp(s, name, len) == 0)
			return (int)(sl->idx - 1);
	}
}

static void tab_put(fl_nameslot *slot, uint32_t mask, fl_nameslot s)
{
	uint32_t j = s.hash & mask;
	while (slot[j].idx)
		j = (j + 1) & mask;
	slot[j] = s;
}

static int tab_insert(fl_arena *a, fl_nametab *t, const char *name, uint32_t len,
		      uint32_t index)
{
	if ((t->n + 1) * 2 > t->cap) {
		/* Grow at half load; old slots stay in the arena (no free). */
		uint32_t ncap = t->cap ? t->cap * 2 : 64;
		fl_nameslot *ns = fl_arena_alloc(a, sizeof(*ns) * ncap);
		if (!ns)
			return FL_ENOMEM;
		for (uint32_t i = 0; i < t->cap; i++)
			if (t->slot[i].idx)
				tab_put(ns, ncap - 1, t->slot[i]);
		t->slot = ns;
		t->cap = ncap;
	}
	tab_put(t->slot, t->cap - 1, (fl_nameslot){index + 1, hash_name(name, len)});
	t->n++;
	return 0;
}

/* Adds a source that is not known yet (kept as given). */
static int push_source(fl_ruleset *rs, const char *source)
{
	if (FL_VEC_PUSH(rs->arena, rs->sources, source) ||
	    tab_insert(rs->arena, &rs->source_tab, source, (uint32_t)strlen(source),
		       (uint32_t)rs->sources.n - 1))
		return FL_ENOMEM;
	return 0;
}

fl_ruleset *fl_ruleset_new(fl_arena *a)
{
	fl_ruleset *rs = fl_arena_alloc(a, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->arena = a;
	for (size_t i = 0; i < sizeof(builtin_sources) / sizeof(builtin_sources[0]); i++)
		if (push_source(rs, builtin_sources[i]))
			return NULL;
	return rs;
}

fl_list *fl_ruleset_list(const fl_ruleset *rs, const char *name, uint32_t len)
{
	int i = tab_find(&rs->list_tab, rs->lists.v, list_at, name, len);
	return i < 0 ? NULL : rs->lists.v[i];
}

fl_macro *fl_ruleset_macro(const fl_ruleset *rs, const char *name, uint32_t len)
{
	int i = tab_find(&rs->macro_tab, rs->macros.v, macro_at, name, len);
	return i < 0 ? NULL : rs->macros.v[i];
}

fl_rule *fl_ruleset_rule(const fl_ruleset *rs, const char *name, uint32_t len)
{
	int i = tab_find(&rs->rule_tab, rs->rules.v, rule_at, name, len);
	return i < 0 ? NULL : rs->rules.v[i];
}

/* Names item c with a copy of name[0..len) and indexes it in tab as
 * entry `index` of its order; the one part of adding a list, macro or rule
 * that does not depend on the kind.  0 or FL_ENOMEM. */
static int name_item(fl_ruleset *rs, fl_item_common *c, fl_nametab *tab, const char *name,
		     uint32_t len, size_t index)
{
	if (!(c->name = fl_arena_strndup(rs->arena, name, len)))
		return FL_ENOMEM;
	c->name_len = len;
	return tab_insert(rs->arena, tab, c->name, len, (uint32_t)index);
}

fl_list *fl_ruleset_add_list(fl_ruleset *rs, const char *name, uint32_t len)
{
	fl_list *l = fl_arena_alloc(rs->arena, sizeof(*l));
	if (!l || FL_VEC_PUSH(rs->arena, rs->lists, l) ||
	    name_item(rs, &l->c, &rs->list_tab, name, len, rs->lists.n - 1))
		return NULL;
	return l;
}

fl_macro *fl_ruleset_add_macro(fl_ruleset *rs, const char *name, uint32_t len)
{
	fl_macro *m = fl_arena_alloc(rs->arena, sizeof(*m));
	if (!m || FL_VEC_PUSH(rs->arena, rs->macros, m) ||
	    name_item(rs, &m->c, &rs->macro_tab, name, len, rs->macros.n - 1))
		return NULL;
	return m;
}

fl_rule *fl_ruleset_add_rule(fl_ruleset *rs, const char *name, uint32_t len)
{
	fl_rule *r = fl_arena_alloc(rs->arena, sizeof(*r));
	if (!r || FL_VEC_PUSH(rs->arena, rs->rules, r) ||
	    name_item(rs, &r->c, &rs->rule_tab, name, len, rs->rules.n - 1))
		return NULL;
	return r;
}

int fl_ruleset_contrib(fl_ruleset *rs, fl_item_common *c, fl_contrib_kind kind,
		       fl_span item, fl_span name_span)
{
	fl_contrib k = {kind, item, name_span};
	if (FL_VEC_RESERVE(rs->arena, c->contribs, 1) ||
	    FL_VEC_PUSH(rs->arena, c->contribs, k))
		return FL_ENOMEM;
	if (kind == FL_CONTRIB_DEFINE || kind == FL_CONTRIB_REDEFINE) {
		c->base = (uint32_t)c->contribs.n - 1;
	}
	c->file = item.src;
	return 0;
}

int fl_ruleset_source_known(const fl_ruleset *rs, const char *source)
{
	return tab_find(&rs->source_tab, rs->sources.v, source_at, source,
			(uint32_t)strlen(source)) >= 0;
}

int fl_ruleset_add_source(fl_ruleset *rs, const char *source)
{
	if (fl_ruleset_source_known(rs, source))
		return 0;
	const char *s = fl_arena_strdup(rs->arena, source);
	return s ? push_source(rs, s) : FL_ENOMEM;
}

int fl_ruleset_add_plugin_source(fl_ruleset *rs, const char *plugin)
{
	for (size_t i = 0; i < sizeof(plugin_sources) / sizeof(plugin_sources[0]); i++)
		if (strcmp(plugin_sources[i].plugin, plugin) == 0)
			return plugin_sources[i].source
				       ? fl_ruleset_add_source(rs, plugin_sources[i].source)
				       : 0;
	return fl_ruleset_add_source(rs, plugin);
}


static const char *const pri_names[] = {
	"Emergency", "Alert", "Critical", "Error",
	"Warning", "Notice", "Informational", "Debug",
};

const char *fl_priority_name(fl_priority p)
{
	return (unsigned)p < 8 ? pri_names[p] : "?";
}

static int ieq(const char *s, uint32_t len, const char *lit)
{
	size_t n = strlen(lit);
	if (n != len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return 0;
	}
	return 1;
}

int fl_priority_parse(const char *s, uint32_t len)
{
	static const char *const lower[] = {
		"emergency", "alert", "critical", "error",
		"warning", "notice", "informational", "debug",
	};
	for (int i = 0; i < 8; i++)
		if (ieq(s, len, lower[i]))
			return i;
	if (ieq(s, len, "info"))
		return FL_PRI_INFORMATIONAL;
	return -1;
}

const char *fl_ruleset_intern(fl_ruleset *rs, const char *s, uint32_t len)
{
	int i = tab_find(&rs->str_tab, rs->strs.v, source_at, s, len);
	if (i >= 0)
		return rs->strs.v[i];
	const char *c = fl_arena_strndup(rs->arena, s, len);
	if (!c || FL_VEC_PUSH(rs->arena, rs->strs, c) ||
	    tab_insert(rs->arena, &rs->str_tab, c, len, (uint32_t)rs->strs.n - 1))
		return NULL;
	return c;
}

int fl_rule_add_tag(fl_ruleset *rs, fl_rule *r, const char *tag)
{
	if (!(tag = fl_ruleset_intern(rs, tag, (uint32_t)strlen(tag))) ||
	    FL_VEC_PUSH(rs->arena, r->tags, tag))
		return FL_ENOMEM;
	r->tags_unsorted = 1;
	return 0;
}

/* strcmp compares as unsigned char: std::string's (byte) order. */
static int cmp_tag(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void fl_rule_sort_tags(fl_rule *r)
{
	if (!r->tags_unsorted)
		return;
	r->tags_unsorted = 0;
	if (r->tags.n < 2)
		return;
	qsort(r->tags.v, r->tags.n, sizeof(r->tags.v[0]), cmp_tag);
	size_t k = 1;
	for (size_t i = 1; i < r->tags.n; i++)
		if (strcmp(r->tags.v[i], r->tags.v[k - 1]) != 0)
			r->tags.v[k++] = r->tags.v[i];
	r->tags.n = k;
}

/* The roots of pack p: its source looked up in srcs. */
static int unpack(fl_arena *a, const fl_ypack *p, fl_source *const *srcs, size_t nsrcs,
		  fl_ynode **roots)
{
	if (p->src >= nsrcs)
		return FL_EUSAGE;
	return fl_ypack_unpack(a, srcs[p->src], p, roots);
}

/* Appends the kids of values sequence `seq` (or none) to v[*k..max). */
static void put_values(fl_ynode **v, size_t *k, size_t max, const fl_ynode *seq)
{
	for (uint32_t i = 0; seq && i < seq->n && *k < max; i++)
		v[(*k)++] = seq->kids[i];
}

int fl_exception_nodes(fl_arena *a, const fl_exception *e, fl_source *const *srcs,
		       size_t nsrcs, fl_exc_nodes *out)
{
	fl_ynode *n[3];
	int rc = unpack(a, e->nodes, srcs, nsrcs, n);
	if (rc)
		return rc;
	*out = (fl_exc_nodes){.fields = n[0], .comps = n[1], .nvalues = e->nvalues};
	if (!e->more) {
		/* the common case: the kids of the one sequence as they are */
		out->values = n[2] ? n[2]->kids : NULL;
		return 0;
	}
	size_t nmore = 0, k = 0;
	for (const fl_exc_more *m = e->more; m; m = m->next)
		nmore++;
	fl_ynode **v = fl_arena_alloc(a, e->nvalues * sizeof *v);
	const fl_exc_more **order = fl_arena_alloc(a, nmore * sizeof *order);
	if (!v || !order)
		return FL_ENOMEM;
	size_t j = nmore;
	for (const fl_exc_more *m = e->more; m; m = m->next)
		order[--j] = m;
	put_values(v, &k, e->nvalues, n[2]);
	for (j = 0; j < nmore; j++) {
		fl_ynode *seq;
		if ((rc = unpack(a, order[j]->values, srcs, nsrcs, &seq)))
			return rc;
		put_values(v, &k, e->nvalues, seq);
	}
	out->values = v;
	return 0;
}
