/* ruleset.h — the effective ruleset: the state Falco's rule collector holds
 * after the items of every file loaded so far were applied in order (lists,
 * macros, rules, engine and plugin requirements), plus where every piece of
 * it came from.  load.c fills it; compile.c, the checks and the evaluator
 * read it.  Everything lives in the session arena. */
#ifndef FL_RULESET_H
#define FL_RULESET_H

#include <stdint.h>

#include "arena.h"
#include "source.h"
#include "yaml.h"

/* How one YAML item contributed to a list, macro or rule. */
typedef enum fl_contrib_kind {
	FL_CONTRIB_DEFINE,          /* first definition */
	FL_CONTRIB_REDEFINE,        /* full redefinition (also `override: replace` of a list/macro) */
	FL_CONTRIB_APPEND,          /* legacy `append: true` */
	FL_CONTRIB_OVERRIDE_APPEND, /* `override: {key: append}` */
	FL_CONTRIB_OVERRIDE_REPLACE,/* `override: {key: replace}` (rules) */
	FL_CONTRIB_ENABLE           /* deprecated enabled-only entry */
} fl_contrib_kind;

typedef struct fl_contrib {
	fl_contrib_kind kind;
	fl_span span;      /* the item's map (starts at its first key) */
	fl_span name_span; /* the value of its list:/macro:/rule: key */
} fl_contrib;

typedef FL_VEC(fl_contrib) fl_contribs;

/* Fields every list, macro and rule share.
 *   order       Falco's index: the collector counter at the first definition;
 *               a redefinition keeps it (evaluation order of rules).
 *   visibility  the counter at the latest definition or append (spec §16:
 *               a list/macro only sees lists/macros whose order < this).
 *   contribs    every item that defined, appended or overrode it, in load
 *               order; contribs.v[base] is the latest full (re)definition and
 *               the effective value is built from base..n-1 only.
 *   file        source id of the latest contribution. */
typedef struct fl_item_common {
	const char *name;
	fl_contribs contribs; /* contribs.v[base]: the latest full (re)definition,
			       * its item map and name (fl_item_name_span) */
	uint32_t name_len;
	uint32_t order, visibility;
	uint32_t base;
	uint32_t file;
	int used;             /* set by the compiler */
} fl_item_common;

/* The span of the name of the latest full (re)definition of c. */
static inline fl_span fl_item_name_span(const fl_item_common *c)
{
	return c->base < c->contribs.n ? c->contribs.v[c->base].name_span : FL_NOSPAN;
}

/* One list element: decoded text and the span of its YAML scalar. */
typedef struct fl_list_item {
	const char *s;
	uint32_t len;
	fl_span span;
} fl_list_item;

typedef struct fl_list {
	fl_item_common c;
	FL_VEC(fl_list_item) items;   /* definition items, then appended ones */
} fl_list;

/* A piece of condition text and where it came from. */
typedef struct fl_cond_piece {
	fl_text text;
	fl_span span;         /* the YAML scalar */
	fl_span item;         /* the item that supplied it */
} fl_cond_piece;

typedef struct fl_macro {
	fl_item_common c;
	/* Effective condition: base + " " + append1 + " " + … (spec §11, no
	 * parentheses).  Each joining space carries the position of the first
	 * byte of the piece that follows it. */
	fl_text cond;
	fl_cond_piece def;                 /* condition of the latest definition */
	FL_VEC(fl_cond_piece) appends;     /* appended pieces since then */
	void *compiled;                    /* owned by compile.c */
	fl_text_builder *cond_buf;         /* backs cond across appends;
					    * NULL until the first */
} fl_macro;

/* One exception of a rule (spec §10).  The compiler builds its clause
 * text from the shapes of its YAML nodes exactly like Falco (quoting
 * depends on them), so the nodes outlive the tree of their file: packed
 * (yaml.h fl_ypack), since every exception of every rule keeps them while
 * a run reads them a few times.  fl_exception_nodes rebuilds them. */
typedef struct fl_exc_more {
	const struct fl_exc_more *next;
	const fl_ypack *values;      /* roots: the `values:` sequence */
} fl_exc_more;

typedef struct fl_exception {
	const char *name;
	const fl_ypack *nodes;       /* roots: fields, comps (NULL when absent
				      * or null) and the `values:` sequence
				      * of the definition (NULL when none) */
	const fl_exc_more *more;     /* values of appends, the latest first */
	fl_span span;                /* the exception map that created it */
	unsigned nvalues : 31;       /* elements of every `values:` sequence */
	unsigned replaced : 1;       /* from `override: {exceptions: replace}`:
				      * Falco skips validation of these */
} fl_exception;

/* The nodes of an exception, rebuilt. */
typedef struct fl_exc_nodes {
	const fl_ynode *fields;      /* scalar or sequence; NULL when absent/null */
	const fl_ynode *comps;       /* NULL when absent: '=' per field / 'in' */
	fl_ynode *const *values;     /* every element of every `values:`
				      * sequence, in order (appends included) */
	size_t nvalues;
} fl_exc_nodes;

typedef enum fl_priority {
	FL_PRI_EMERGENCY, FL_PRI_ALERT, FL_PRI_CRITICAL, FL_PRI_ERROR,
	FL_PRI_WARNING, FL_PRI_NOTICE, FL_PRI_INFORMATIONAL, FL_PRI_DEBUG
} fl_priority;

/* What appends to a rule leave, allocated at the first append (most rules
 * have none): the appended conditions (read by the checks), the backing
 * stores of the texts appends grew, and the name index of the rule's
 * exceptions. */
typedef struct fl_rule_appends {
	FL_VEC(fl_cond_piece) cond_appends; /* appended conditions since the
					     * latest definition or replace */
	fl_text_builder cond, output, desc;
	struct fl_exc_names *exc_names;  /* NULL until needed, or stale */
} fl_rule_appends;

/* Fields are grouped by size so that 10,000s of rules carry no padding. */
typedef struct fl_rule {
	fl_item_common c;
	fl_text cond;              /* joined like Falco: old + " " + new */
	fl_cond_piece cond_def;    /* condition of the latest definition or
				    * replace; the appended ones are in app */
	fl_text output;            /* trimmed when it comes from a definition
				    * (texts are not NUL-terminated: use len) */
	fl_text desc;
	fl_span output_span;       /* value node of the latest definition/replace */
	fl_span priority_span;
	fl_span source_span;       /* FL_NOSPAN when defaulted */
	fl_priority priority;
	const char *source;        /* "syscall" unless given (interned) */
	uint32_t capture_duration;
	/* Flags, 0 or 1. */
	uint8_t source_unknown;    /* LOAD_UNKNOWN_SOURCE: never compiled */
	uint8_t enabled, warn_evttypes, skip_if_unknown_filter, capture;
	uint8_t tags_unsorted;     /* fl_rule_add_tag since fl_rule_sort_tags */
	FL_VEC(const char *) tags; /* sorted, unique (byte order) once the
				    * file is loaded */
	FL_VEC(fl_exception) exceptions;
	void *compiled;            /* owned by compile.c */
	fl_rule_appends *app;      /* NULL until an append */
} fl_rule;

/* One `required_plugin_versions` entry: the plugin and its alternatives. */
typedef struct fl_plugin_alt {
	const char *name, *version;
	fl_span span;         /* the version value */
	fl_span name_span;
} fl_plugin_alt;

typedef struct fl_plugin_req {
	FL_VEC(fl_plugin_alt) alts;   /* alts.v[0] is the entry itself */
	fl_span span;
} fl_plugin_req;

/* Per loaded file: what reading it produced.  Falco stops reading a file at
 * its first error and then does not compile; read_failed tells the compiler
 * to behave the same way for this file. */
typedef struct fl_rs_file {
	uint32_t src;
	int read_failed;
	int first_error;          /* fl_code of the first error, or -1 */
	uint32_t nitems;          /* items applied */
} fl_rs_file;

/* Name → index hash table (open addressing, arena-allocated).  A slot
 * keeps the name's hash so that probing and growing do not read the items
 * (a cache miss each on a large ruleset). */
typedef struct fl_nameslot {
	uint32_t idx;             /* index + 1; 0 = empty */
	uint32_t hash;
} fl_nameslot;

typedef struct fl_nametab {
	fl_nameslot *slot;
	uint32_t cap, n;
} fl_nametab;

typedef struct fl_ruleset {
	fl_arena *arena;
	FL_VEC(fl_list *) lists;      /* in first-definition order */
	FL_VEC(fl_macro *) macros;
	FL_VEC(fl_rule *) rules;      /* evaluation order */
	fl_nametab list_tab, macro_tab, rule_tab, source_tab;
	uint32_t counter;             /* Falco's m_cur_index */
	unsigned req_engine[3];       /* highest required_engine_version */
	fl_span req_engine_span;
	int has_req_engine;
	FL_VEC(fl_plugin_req) plugins;
	FL_VEC(const char *) sources; /* known event sources */
	FL_VEC(const char *) strs;    /* fl_ruleset_intern's strings */
	fl_nametab str_tab;
	FL_VEC(fl_rs_file) files;     /* in load order */
} fl_ruleset;

/* A new empty ruleset in arena `a` whose known sources are the built-in
 * ones (syscall and the sources of the official plugins); NULL on OOM. */
fl_ruleset *fl_ruleset_new(fl_arena *a);

/* Look a name up; NULL when absent. */
fl_list *fl_ruleset_list(const fl_ruleset *rs, const char *name, uint32_t len);
fl_macro *fl_ruleset_macro(const fl_ruleset *rs, const char *name, uint32_t len);
fl_rule *fl_ruleset_rule(const fl_ruleset *rs, const char *name, uint32_t len);

/* Inserts a new, zeroed list/macro/rule named name[0..len) (copied) at
 * the end of its order and in the name table; the caller fills it.  NULL
 * on OOM.  The name must not exist yet. */
fl_list *fl_ruleset_add_list(fl_ruleset *rs, const char *name, uint32_t len);
fl_macro *fl_ruleset_add_macro(fl_ruleset *rs, const char *name, uint32_t len);
fl_rule *fl_ruleset_add_rule(fl_ruleset *rs, const char *name, uint32_t len);

/* Records a contribution of `kind` from item map `item` (name value at
 * `name_span`); a definition kind also moves the effective base to it. */
int fl_ruleset_contrib(fl_ruleset *rs, fl_item_common *c, fl_contrib_kind kind,
		       fl_span item, fl_span name_span);

/* 1 when `source` names a known event source. */
int fl_ruleset_source_known(const fl_ruleset *rs, const char *source);
/* Makes `source` known (copied); 0 or FL_ENOMEM. */
int fl_ruleset_add_source(fl_ruleset *rs, const char *source);
/* Makes the event source of plugin `plugin` known, if the plugin is one
 * that provides events (see ruleset.c for the table); 0 or FL_ENOMEM. */
int fl_ruleset_add_plugin_source(fl_ruleset *rs, const char *plugin);

/* Canonical name of a priority ("Warning"), and the parser that accepts
 * Falco's spellings (case-insensitive, `info` alias); -1 when invalid. */
const char *fl_priority_name(fl_priority p);
int fl_priority_parse(const char *s, uint32_t len);

/* One shared copy of s[0..len) (NUL-terminated) for the whole ruleset:
 * tags and rule sources repeat from rule to rule.  NULL on OOM. */
const char *fl_ruleset_intern(fl_ruleset *rs, const char *s, uint32_t len);

/* Rebuilds the nodes of exception e in arena `a` (scratch: they live as
 * long as it); srcs[0..nsrcs) are the session's sources, which the packs
 * read values from.  0, FL_ENOMEM or FL_EUSAGE (a source is missing). */
int fl_exception_nodes(fl_arena *a, const fl_exception *e, fl_source *const *srcs,
		       size_t nsrcs, fl_exc_nodes *out);

/* Adds NUL-terminated tag (interned) to r's tags and sets
 * r->tags_unsorted; 0 or FL_ENOMEM. */
int fl_rule_add_tag(fl_ruleset *rs, fl_rule *r, const char *tag);
/* Sorts r's tags in byte order and drops duplicates (Falco keeps a
 * std::set): once per loaded file, so that adding n tags is O(n log n)
 * (inserting each in order was quadratic on a hostile tag list). */
void fl_rule_sort_tags(fl_rule *r);

#endif
