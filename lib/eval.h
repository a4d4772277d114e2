/* eval.h — three-valued evaluation of a parsed condition (expr.h) against
 * one scenario event: fields the event does not give are unknown and
 * propagate by Kleene logic; macros are evaluated once per event (memo by
 * slot), so the cost is linear in the macro DAG.  The session stage built
 * on it (fl_scenarios_begin/_rule/_end) evaluates the compile stage's final trees and
 * reports rules that fire on benign scenarios (FL501/FL502) and exemption
 * clauses that are spoofable (FL503) or never match (FL504); `fix`
 * verifies its candidates through the same rule evaluation (fl_rseval). */
#ifndef FL_EVAL_H
#define FL_EVAL_H

#include <stdint.h>

#include "arena.h"
#include "evalops.h"
#include "expr.h"
#include "falcolint.h"
#include "ruleset.h"
#include "scenario.h"

/* Resolves a macro reference: the macro's parsed condition (lists already
 * substituted) and a memo slot < nslots, or NULL when the macro is unknown
 * or did not parse (its value is then unknown). */
typedef const fl_expr *(*fl_macro_fn)(void *ctx, const char *name,
				      uint32_t len, uint32_t *slot);

typedef struct fl_evalenv {
	fl_arena *arena;       /* scratch: transformed values, literals */
	fl_opctx *ops;
	const char *source;    /* event source of the condition; NULL syscall */
	fl_macro_fn macro;
	void *ctx;
	uint32_t nslots;
	fl_tv *memo;           /* per slot: value for the current event */
	uint32_t *memo_gen;    /* per slot: generation the value belongs to */
	uint32_t *memo_height; /* per slot: nesting its evaluation reaches */
	uint32_t gen;
	unsigned depth, max_depth;
	unsigned reach;        /* deepest nesting reached (for memo_height) */
	unsigned noom;         /* FL_ENOMEM failures met so far */
	struct fl_evkeep *keep; /* values kept across evaluations, or NULL */
	int error;             /* first problem met: FL_EUSAGE (a comparison
				* Falco refuses), FL_ENOMEM; 0 if none */
	const char *error_msg; /* lowercase reason for FL_EUSAGE, or NULL */
	/* right-hand literals read once per check (and literal list indexed),
	 * created on first use: evaluating allocates nothing per list item */
	struct fl_litcache *lits;
	/* per check and source: what does not depend on the event (operator,
	 * field resolution), worked out on first use */
	struct fl_plancache *plans;
	const char *plan_source; /* the source plan_src was computed for */
	int plan_src;            /* its catalogue id (fields.h), -1 unknown */
	int plan_src_set;        /* plan_source/plan_src hold a value */
	unsigned in_macro;       /* macro bodies being evaluated: nodes met
				  * outside them are the condition's own,
				  * forgotten by fl_evalenv_forget */
	fl_arena *own_arena;     /* where what is kept about the condition's
				  * own nodes goes (their literals), reset by
				  * the caller after fl_evalenv_forget; NULL:
				  * `arena` */
} fl_evalenv;

/* Prepares *env over arena `a` with `nslots` macro memo slots; macros are
 * resolved through fn(ctx, …) (fn may be NULL: no macros).  Returns 0 or
 * FL_ENOMEM. */
int fl_evalenv_init(fl_evalenv *env, fl_arena *a, fl_opctx *ops,
		    uint32_t nslots, fl_macro_fn fn, void *ctx);

/* From now on, keeps the values of checks, and of the macros whose slot
 * is set in acyclic[0..nslots) (no reference loop reachable from them:
 * their value depends on the event alone), per event and source across
 * evaluations: a macro shared by many rules is evaluated once per event.
 * The caller promises that events, macros and the ruleset do not change
 * while env lives; a problem (env->error) is then recorded by the first
 * evaluation that meets it only.  Values are as without keeping, nesting
 * limit included.  acyclic must outlive env.  Returns 0 or FL_ENOMEM. */
int fl_evalenv_keep(fl_evalenv *env, const unsigned char *acyclic);

/* Forgets what env keeps about the nodes it has evaluated (check plans
 * with their kept values, literals read, macro references resolved), so
 * that their memory may be reused for other nodes: an evaluator that parses
 * each condition into an arena it resets between conditions calls this
 * before every reset.  Macro values kept per event (by slot, not by node)
 * stay, so the macros' nodes must stay as they are. */
void fl_evalenv_forget(fl_evalenv *env);

/* Evaluates `e` for event `ev` (a new memo generation: macro values of a
 * previous event are forgotten).  Problems that Falco would have refused
 * at compile time make the affected check unknown and are recorded in
 * env->error. */
fl_tv fl_eval(fl_evalenv *env, const fl_expr *e, const fl_sevent *ev);

/* The value event `ev` gives field `name` with argument `arg` (NULL: none)
 * — with the equivalences proc.aname[1] = proc.pname and proc.aname[0] =
 * proc.name — or an UNKNOWN value. */
fl_value fl_eval_field(const fl_sevent *ev, const char *name, const char *arg);

/* ---- the rules of a session ---------------------------------------------- */

/* The value fl_rseval_rule gives an event that the --driver filter leaves
 * out (beside FL_FALSE, FL_TRUE, FL_UNKNOWN). */
#define FL_EVAL_SKIP 3

/* Evaluates the rules of one session the way the session stage
 * (fl_scenarios_rule) does; opaque. */
typedef struct fl_rseval fl_rseval;

/* An evaluator of the ruleset of session `s` (which ran), in s's arena,
 * for the session's --driver; release it with fl_rseval_free.  Returns 0,
 * FL_EUSAGE (s has no ruleset) or FL_ENOMEM; *out is NULL unless 0. */
int fl_rseval_new(fl_session *s, fl_rseval **out);

/* Values of rule `r` on each event of scenario `sc` into
 * out[0..sc->nevents): its final condition as the compile stage built it
 * (appends joined, exceptions folded in per rules-format 10.5, lists
 * substituted), FL_UNKNOWN on every event when Falco would not load the
 * rule, FL_EVAL_SKIP for events of another driver.  Returns 0 or FL_ENOMEM. */
int fl_rseval_rule(fl_rseval *x, const fl_rule *r, const fl_scenario *sc, int *out);

/* Releases what x holds outside the arena; x may be NULL. */
void fl_rseval_free(fl_rseval *x);

#endif
