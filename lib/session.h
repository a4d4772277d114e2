/* session.h — the body of fl_session and the pipeline between modules:
 * sources are read in load order, each is parsed (yaml.c), read into the
 * collector (load.c / ruleset.c) and compiled (compile.c) the way Falco
 * does after every file; then the whole-ruleset checks and the scenario
 * evaluation run, and the diagnostics are finished into views. */
#ifndef FL_SESSION_H
#define FL_SESSION_H

#include "arena.h"
#include "diag.h"
#include "falcolint.h"
#include "source.h"
#include "yaml.h"

struct fl_ruleset;   /* ruleset.h */
struct fl_scenarios; /* scenario.h */
struct fl_rule;      /* ruleset.h */
struct fl_expr;      /* expr.h */
struct fl_evtset;    /* fields.h */

/* A file mapped into memory, unmapped by fl_session_free. */
typedef struct fl_mapping {
	void *p;
	size_t n;
} fl_mapping;

struct fl_session {
	fl_arena *arena;
	fl_options opt;
	fl_diags diags;
	FL_VEC(fl_source *) sources;     /* in load order */
	FL_VEC(fl_mapping) maps;         /* files mapped (opt.map_files) */
	struct fl_ruleset *rs;
	struct fl_scenarios *scen;
	unsigned engine[3];  /* engine version of the target Falco (0.62.0) */
	int ran;
	void *compile_state;  /* owned by compile.c (incremental compile) */
	fl_stage_stat stages[7];         /* see fl_session_stages */
	/* finished views, built by fl_session_run */
	fl_diag_view *views;
	size_t nviews;
};

/* Pipeline stages.  Each returns 0 or a negative FL_E*; problems in the
 * input are diagnostics in s->diags. */
int fl_load_file(fl_session *s, const fl_source *src, fl_ydoc *docs,
		 uint32_t ndocs);        /* load.c: read + collect one file */
/* The same, document root by root or item by item as the YAML streams in
 * (fl_yaml_stream): begin, then fl_load_item for every element of a root
 * sequence and fl_load_doc for every other document root, in file order,
 * then end.  The nodes passed need to live only during the call. */
typedef struct fl_loader fl_loader;
int fl_load_begin(fl_session *s, const fl_source *src, fl_loader **out);
int fl_load_item(fl_loader *l, const fl_ynode *item);
int fl_load_doc(fl_loader *l, const fl_ynode *root);
int fl_load_end(fl_loader *l);
/* A rule the compiler parsed: its index in the ruleset's rules, its final
 * condition's text and tree, in arena `a`, which the compiler reuses after
 * the call, and for a syscall rule that compiled, the event types it can
 * match (fields.h; else NULL). */
typedef int (*fl_rule_sink)(void *ctx, size_t i, const struct fl_rule *r, const fl_text *text,
			    const struct fl_expr *ast, const struct fl_evtset *evts,
			    fl_arena *a);
int fl_compile_file(fl_session *s, const fl_source *src, fl_rule_sink sink,
		    void *ctx);  /* compile.c */
/* Forgets what fl_compile_file learnt, for a load that starts over. */
void fl_compile_reset(fl_session *s);
/* After the last compile, the whole-ruleset checks (checks.c) and the
 * scenario evaluation (eval.c) read every rule's final condition; the
 * session builds it once per rule (fl_compile_rule_cond) for both: begin,
 * then the rule calls for each rule in evaluation order with that text
 * and tree (NULL when it did not parse), then end.  Each returns 0 or a
 * negative FL_E*; a NULL state (no ruleset) makes the others no-ops.  The
 * tree is the caller's, dropped after the rule calls. */
typedef struct fl_checkrun fl_checkrun;
int fl_checks_begin(fl_session *s, fl_checkrun **out);
int fl_checks_rule(fl_checkrun *c, const struct fl_rule *r, const fl_text *text,
		   const struct fl_expr *ast);
int fl_checks_end(fl_checkrun *c);
/* 0 when the description check (FL126, names in descriptions) finds
 * nothing in d[0..n), nor in d joined with appended pieces (old + " " +
 * new): no word "macro" or "list", no '_' (the names it reports have
 * one).  The loader keeps only descriptions for which it is 1. */
int fl_desc_may_name(const char *d, size_t n);
typedef struct fl_scen_run fl_scen_run;
int fl_scenarios_begin(fl_session *s, fl_scen_run **out);
/* `a` is the arena of ast, reset by the caller after the call: the
 * evaluator keeps what it works out about the tree's nodes there.  `evts`,
 * when not NULL, are the event types the rule can match (the compiler's,
 * as Falco indexes rules by them): an event of another type is not
 * evaluated, since Falco never runs the rule on it. */
int fl_scenarios_rule(fl_scen_run *run, const struct fl_rule *r, const fl_text *text,
		      const struct fl_expr *ast, const struct fl_evtset *evts, fl_arena *a);
int fl_scenarios_end(fl_scen_run *run);

/* 1 when Falco (0.41+) loads `path` from a rules directory: the first
 * ".yaml"/".yml" in it must be at its very end (rules-format §15). */
int fl_falco_loads_name(const char *path);

/* Reads a file into a new source (see session.c). */
int fl_session_read(fl_session *s, const char *path, int context, fl_source **out);

/* Adds a source of bytes to the load order (copied); returns it or NULL. */
fl_source *fl_session_add_source(fl_session *s, const char *path,
				 const char *data, size_t len, int context);

#endif
