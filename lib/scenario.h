/* scenario.h — scenarios: named runtime behaviours (benign or malicious),
 * each with concrete events given as Falco field values, read from YAML:
 * the built-in catalogue (the YAML files of lib/scenarios/, embedded at
 * build time) and users' --scenario files.  All memory is the arena's. */
#ifndef FL_SCENARIO_H
#define FL_SCENARIO_H

#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "evalops.h"
#include "source.h"
#include "yaml.h"

struct fl_session;

typedef enum fl_scen_kind { FL_SCEN_BENIGN, FL_SCEN_MALICIOUS } fl_scen_kind;

/* Drivers, as bits of fl_sevent.drivers. */
enum { FL_DRV_MODERN_BPF = 1, FL_DRV_EBPF = 2, FL_DRV_KMOD = 4 };

/* One field value of an event. */
typedef struct fl_sfield {
	const char *key;    /* as written: "proc.aname[2]", "evt.arg.flags" */
	const char *name;   /* without a [arg]: "proc.aname", "evt.arg.flags" */
	const char *arg;    /* the [arg] text (quotes removed), or NULL */
	fl_value value;     /* STR, INT, BOOL, LIST of STR, or NONE (null), as
	                     * YAML typed it; coerce with fl_value_coerce to
	                     * the field's type before comparing */
	fl_span span;       /* the key */
	fl_span value_span;
} fl_sfield;

/* One concrete event (a variant of the behaviour). */
typedef struct fl_sevent {
	const char *name;
	const char *note;   /* or NULL */
	unsigned drivers;   /* FL_DRV_* bits; 0 = every driver */
	fl_sfield *fields;
	uint32_t nfields;
	fl_span span;       /* the name value */
	/* 1 + fl_evttype_index() of its evt.type (a string), or 0 (none, or
	 * not a known name): what lets the evaluator skip the rules whose
	 * event types exclude it, as Falco's index of rules does */
	int evt_type;
} fl_sevent;

/* One exemption predicate: a condition in Falco syntax. */
typedef struct fl_sexempt {
	const char *cond;
	const fl_ynode *node;  /* the scalar (fl_yscalar_text maps positions) */
	const fl_source *src;
} fl_sexempt;

typedef struct fl_scenario {
	const char *name;
	fl_scen_kind kind;
	const char *summary;
	const char *source;     /* event source, "syscall" by default */
	const char **refs;
	uint32_t nrefs;
	fl_sexempt *exempt;
	uint32_t nexempt;
	fl_sevent *events;
	uint32_t nevents;
	const fl_source *src;
	fl_span span;           /* the name value */
	int builtin;
} fl_scenario;

typedef struct fl_scenarios {
	fl_arena *arena;
	FL_VEC(fl_scenario *) list;
	FL_VEC(const fl_source *) pending;  /* user files not yet loaded */
	int loaded;
	const char *only;       /* --scenario-name, or NULL */
	int keep_eval;          /* fl_session_keep_evaluation() was called */
	struct fl_eval_result *results;   /* kept evaluation (eval.c) */
	size_t nresults;
	struct fl_scenario_view *views;   /* built on first request */
	size_t nviews;
} fl_scenarios;

/* Parses a driver name (modern_bpf, ebpf, kmod) into its FL_DRV_* bit;
 * returns 0 or FL_EUSAGE. */
int fl_driver_parse(const char *name, unsigned *bit);

/* Loads the scenarios of the parsed documents of `src` into `sc`, adding a
 * diagnostic (FL510–FL514) for each malformed part; a malformed scenario
 * is skipped, the others are kept.  Returns 0 or FL_ENOMEM. */
int fl_scenarios_load(fl_scenarios *sc, fl_diags *d, const fl_source *src,
		      const fl_ydoc *docs, uint32_t ndocs, int builtin);
/* Parses `src` as YAML (limits `lim`) and loads it as above; a YAML error
 * is a diagnostic of the YAML layer.  Returns 0 or FL_ENOMEM. */
int fl_scenarios_load_source(fl_scenarios *sc, fl_diags *d,
			     const fl_source *src, const fl_ylimits *lim,
			     int builtin);

/* The scenario named `name`, or NULL. */
const fl_scenario *fl_scenarios_find(const fl_scenarios *sc, const char *name);
/* Value of field `name` with argument `arg` (NULL: none) in event `e`, or
 * NULL when the event does not give it (the value is unknown). */
const fl_sfield *fl_sevent_field(const fl_sevent *e, const char *name,
				 const char *arg);
/* 1 if event `e` is rendered by the driver with bit `drv` (0: any). */
int fl_sevent_has_driver(const fl_sevent *e, unsigned drv);

/* The session's scenario set, created on first use; NULL on OOM. */
fl_scenarios *fl_session_scenarios(struct fl_session *s);
/* Loads the built-in catalogue and every added --scenario file into the
 * session's set (once; later calls do nothing).  Returns 0 or FL_ENOMEM. */
int fl_session_load_scenarios(struct fl_session *s);

#endif
