/* compile.h — what the compile stage leaves behind for the evaluator and the
 * whole-ruleset checks: per macro its final condition text (lists
 * substituted, appends joined) and AST (macros are few and shared by many
 * rules); per rule the small results of compiling it.  A rule's final text
 * (exception clauses joined, lists substituted) and its AST are not kept:
 * the last compile hands them to the checks and the evaluator right after
 * the rule (fl_rule_sink, session.h), and a rule that compile did not
 * reach is built and parsed again (fl_compile_rule_cond) into an arena
 * reset from rule to rule.  On demand (fl_compile_tree), a compiled tree
 * whose macro references point at the macro's own compiled tree (shared,
 * never copied, so an evaluator can memoise per macro). */
#ifndef FL_COMPILE_H
#define FL_COMPILE_H

#include <stdint.h>

#include "expr.h"
#include "falcolint.h"
#include "fields.h"
#include "ruleset.h"

/* Source slots: the catalogued sources (fl_source_id), then one slot for
 * every source the catalogue does not know (only generic evt.* fields). */
#define FL_CSLOTS (FL_NSOURCES + 1)

typedef struct fl_cmacro fl_cmacro;
typedef struct fl_cnode fl_cnode;

/* One side of a compiled check.  For a FIELD operand `m` is its resolution
 * against the rule's source (m.status FL_FIELD_OK when it compiled); for a
 * TRANSFORMER operand `args` holds its compiled arguments; VALUE and LIST
 * operands are used as parsed (o->text, o->items: list values are already
 * substituted, since substitution is textual). */
typedef struct fl_cside {
	const fl_operand *o;      /* NULL: no right-hand side (exists) */
	fl_field_match m;         /* FIELD only */
	struct fl_cside *args;    /* TRANSFORMER: o->nitems compiled arguments */
	fl_ftype type;            /* value type of the side (FL_T_NONE: unknown) */
	int is_list;              /* list-valued */
} fl_cside;

/* A compiled check: the operator (operators.h fl_op, -1 before it is
 * compiled), modifier (FL_MOD_NONE for none) and both sides. */
typedef struct fl_ccheck {
	int op;
	fl_modifier mod;
	fl_cside lhs, rhs;
} fl_ccheck;

/* A node of a compiled condition.  AND/OR: kids[0..n), NOT: kids[0] (the
 * children are stored in one array, not one allocation each); MACRO:
 * `macro` (its tree for the same source slot is macro->tree[slot]); CHECK:
 * `check`.  Kept small: only checks carry the resolved operands. */
struct fl_cnode {
	fl_expr_kind kind;
	uint32_t n;
	const fl_expr *ast;       /* the parsed node; offsets into the text */
	union {
		fl_cnode *kids;          /* AND, OR, NOT */
		const fl_cmacro *macro;  /* MACRO (NULL: not defined) */
		fl_ccheck *check;        /* CHECK */
	};
};

/* Per macro, kept in fl_macro.compiled. */
struct fl_cmacro {
	fl_macro *m;
	fl_text text;             /* list-substituted condition that was parsed */
	fl_expr *ast;             /* NULL when it did not parse */
	int bad;                  /* parse error, undefined macro or loop */
	FL_VEC(fl_cmacro *) refs; /* macros it references (resolved) */
	/* Compiled trees per source slot (tree[slot] NULL until
	 * fl_compile_tree built one for a rule of that source that uses the
	 * macro; tree NULL until it built any: the pipeline never does);
	 * internal memo state follows in compile.c. */
	fl_cnode **tree;          /* FL_CSLOTS entries */
	void *memo[FL_CSLOTS];
	/* internal bookkeeping of the incremental compile */
	size_t seen_contribs;
	uint32_t seen_base;
	int dirty, color, reported, resolved, own_bad;
	unsigned gen;               /* bumped whenever its meaning changes */
	uint32_t *lists_used;       /* indices of the lists the substitution
				       used, ascending (nlists_used of them) */
	size_t nlists_used;
};

/* Per rule, kept in fl_rule.compiled. */
typedef struct fl_crule {
	fl_rule *r;
	fl_cnode *tree;           /* fl_compile_tree's, NULL until built (with
				     its own AST, in the session arena) */
	FL_VEC(fl_cmacro *) refs; /* macros its condition references */
	size_t seen_contribs;
	uint32_t *lists_used;     /* as in fl_cmacro */
	/* A final text of 64 KB or more and its AST, kept (built again, they
	 * would cost each later stage more than they cost to keep); NULL for
	 * every other rule. */
	struct fl_crule_kept {
		fl_text text;
		const fl_expr *ast;
	} *kept;
	uint32_t nlists_used;
	/* Flags and small values, bytes: one record per rule. */
	int8_t slot;              /* source slot */
	uint8_t parsed;           /* its final text parsed without errors:
				     fl_compile_rule_cond gives text and AST */
	uint8_t ok;               /* compiled: the rule would be loaded */
	uint8_t dropped;          /* skip-if-unknown-filter dropped it */
	uint8_t unresolved;       /* an undefined macro (may resolve later) */
} fl_crule;

/* The compiled tree of rule r (its macros' trees for the rule's source
 * slot are built along), built on the first call and kept in
 * r->compiled->tree until the rule or a macro it uses changes; NULL when
 * the rule did not compile (ok == 0) or when out of memory.  The compile
 * stage runs the same checks without keeping trees, which nothing in the
 * pipeline reads. */
const fl_cnode *fl_compile_tree(fl_session *s, fl_rule *r);

/* Rule cr's final condition text (condition and exception clauses, lists
 * substituted: the text the compile stage parsed, with its positions) in
 * *text, and its AST, both built anew into arena `a` (owned by the caller,
 * who resets it once done with the rule: the compile stage keeps neither),
 * or the kept ones of a text of 64 KB or more (cr->kept).  NULL when the
 * condition did not parse at compile time (cr->parsed 0), or when out of
 * memory.  A stage that walks many rules builds each once and resets `a`
 * between rules. */
const fl_expr *fl_compile_rule_cond(fl_session *s, const fl_crule *cr, fl_arena *a,
				    fl_text *text);

/* The event types syscall rule cr can match (what the compile stage
 * works out for the rule it hands over), from `ast`, the tree
 * fl_compile_rule_cond gave: 1, or 0 when the rule did not compile or is
 * of another source. */
int fl_compile_rule_evts(fl_session *s, const fl_crule *cr, const fl_expr *ast,
			 fl_evtset *out);

/* The source slot of a rule source name. */
int fl_compile_slot(const char *source);

/* fl_field_resolve() of FIELD operand `o`: its name and its [arg], if any,
 * in a condition of `source` for Falco `target`. */
fl_field_status fl_compile_operand_field(const char *source, const fl_operand *o,
					 fl_version target, fl_field_match *m);

/* The Falco release the session checks against (--target-falco, else the
 * newest known). */
fl_version fl_compile_target(const fl_session *s);

/* Compiled items of list `i` (raw, as `falco -L` shows items_compiled;
 * NULL/0 before the first compile. */
const char *const *fl_compile_list_items(const fl_session *s, size_t i,
					 size_t *n);

/* Marks lists and macros used the way Falco does (§6/§7 of the condition
 * spec) into c.used of every list and macro; returns 1 if the references
 * of every condition are known (no condition failed to parse). */
int fl_compile_mark_used(fl_session *s);

/* Falco's printed form of a compiled condition (condition spec §9, exactly
 * as `falco -L` shows condition_compiled: fl_expr_format_ex's FALCO mode)
 * with every macro reference replaced by the macro's current condition;
 * NULL when a macro is missing or bad, beyond 2^20 printed nodes (macro
 * bombs), or on OOM. */
char *fl_compile_canon(fl_session *s, const fl_expr *e);

#endif
