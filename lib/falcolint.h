/* falcolint.h — the one public header of libfalcolint.
 *
 * Ownership: a session (fl_session) owns one arena; every string, view and
 * array a function here returns lives in that arena and stays valid until
 * fl_session_free().  The library never prints and never exits: problems in
 * the input are diagnostics, failures of the library itself are negative
 * FL_E* return values. */
#ifndef FALCOLINT_H
#define FALCOLINT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FL_VERSION "0.1.0"

/* Return values (0 = success). */
enum {
	FL_OK = 0,
	FL_ENOMEM = -1,  /* out of memory */
	FL_EUSAGE = -2,  /* invalid argument (bad version string, …) */
	FL_EIO = -3      /* a file could not be read (also a diagnostic) */
};

typedef enum fl_severity {
	FL_SEVERITY_ERROR,
	FL_SEVERITY_WARNING,
	FL_SEVERITY_INFO
} fl_severity;

typedef struct fl_session fl_session;

/* Limits that bound time and memory on hostile input; 0 = default. */
typedef struct fl_limits {
	size_t max_file_size;      /* bytes per file (default 64 MiB) */
	unsigned max_yaml_depth;   /* YAML collection nesting (default 256) */
	unsigned max_yaml_aliases; /* alias events per file (default 10000) */
	unsigned max_expr_depth;   /* condition nesting (default 1000) */
	size_t max_dir_entries;    /* files taken from one directory (default 100000) */
	size_t max_condition_size; /* bytes of a condition after list substitution
				    * (default 16 MiB) */
} fl_limits;

typedef struct fl_options {
	const char *target_falco;  /* "0.44.1"; NULL = newest known */
	const char *driver;        /* scenario variants of one driver, or NULL */
	int show_uncertain;        /* report rules that may fire (unknown) */
	/* Map large regular files (mmap) instead of copying them in: no copy
	 * and no fresh pages to zero.  A file that shrinks while the session
	 * lives then raises SIGBUS on access, so set this only where SIGBUS is
	 * handled (falco-lint's main reports it and exits 3). */
	int map_files;
	fl_limits limits;
} fl_options;

/* Fills *o with defaults. */
void fl_options_init(fl_options *o);

/* A new, empty session, or NULL when out of memory.  *o is copied. */
fl_session *fl_session_new(const fl_options *o);
void fl_session_free(fl_session *s);

/* Adds PATH (a file, a directory — its .yaml and .yml entries sorted byte-wise,
 * not recursively — or "-" for standard input) to the load order.  Context
 * files (context != 0) are loaded but nothing is reported on them.  An
 * unreadable path becomes a diagnostic; returns 0 or a negative FL_E*. */
int fl_session_add_path(fl_session *s, const char *path, int context);
/* Adds an in-memory rules file named `name` (bytes are copied). */
int fl_session_add_buffer(fl_session *s, const char *name, const char *data,
			  size_t len, int context);

/* Adds the rules files a Falco configuration file names (`rules_files`, or
 * the older `rules_file`; both is an error, as in Falco), in its order;
 * entries that do not exist are skipped as Falco skips them.  An unreadable
 * or malformed configuration returns FL_EUSAGE with *err set to a message
 * (file:line:col: …). */
int fl_session_add_falco_config(fl_session *s, const char *path, char **err);

/* Adds the rules files embedded in a Falco Helm chart values file: every
 * entry of `customRules` (file name → rules text), in the order the chart
 * loads them (byte-wise by name, as files of /etc/falco/rules.d).  Their
 * diagnostics point into the values file. */
int fl_session_add_helm_values(fl_session *s, const char *path, int context);

/* Loads every added file in order, then runs all checks.  Call once. */
int fl_session_run(fl_session *s);

/* ---- diagnostics ------------------------------------------------------ */

typedef struct fl_location {
	const char *file;       /* NULL: no location */
	unsigned source;        /* index for fl_session_source_line() */
	unsigned line, column;  /* 1-based; column counts UTF-8 code points */
	unsigned end_line, end_column;  /* inclusive end */
} fl_location;

typedef struct fl_note_view {
	fl_location loc;
	const char *message;
} fl_note_view;

typedef struct fl_diag_view {
	const char *code;       /* "FL102" */
	const char *name;       /* "unused-macro" */
	const char *falco_code; /* "LOAD_UNUSED_MACRO" or NULL */
	fl_severity severity;
	const char *message;
	fl_location loc;
	const char *item_kind;  /* "list", "macro", "rule" or NULL */
	const char *item_name;
	const char *help;       /* or NULL */
	const char *scenario;   /* FL5xx: scenario and variant, else NULL */
	const char *variant;
	size_t nnotes;
	const fl_note_view *notes;
} fl_diag_view;

/* Diagnostics in report order (file, position, emission). */
size_t fl_session_ndiags(const fl_session *s);
const fl_diag_view *fl_session_diag(const fl_session *s, size_t i);
/* Text of 1-based `line` of source `source` (no newline), or NULL. */
const char *fl_session_source_line(const fl_session *s, unsigned source,
				   unsigned line, size_t *len);
/* What one stage of the pipeline cost, summed over files: wall-clock
 * seconds, and bytes it allocated in the session arena, which the run
 * keeps to its end (scratch arenas reset between items are not counted);
 * for --profile and benchmarks. */
typedef struct fl_stage_stat {
	const char *name;   /* read, yaml, load, compile, checks, evaluate, report */
	double seconds;
	size_t bytes;
} fl_stage_stat;
/* The stages in pipeline order; *n receives their number. */
const fl_stage_stat *fl_session_stages(const fl_session *s, size_t *n);

/* Number of sources (files) the session read. */
size_t fl_session_nsources(const fl_session *s);
const char *fl_session_source_path(const fl_session *s, unsigned source);

/* ---- the check catalogue ---------------------------------------------- */

typedef struct fl_check_view {
	const char *code, *name;
	fl_severity severity;
	int on_by_default;
	const char *falco_code, *summary, *explain;
} fl_check_view;

size_t fl_check_count(void);
const fl_check_view *fl_check_at(size_t i);        /* sorted by code */
const fl_check_view *fl_check_find(const char *code);

/* ---- configuration file ---- */

/* A project configuration (.falco-lint.yaml): defaults for the command line.
 * Code lists are comma-separated codes or prefixes ("FL1,FL402"), NULL when
 * the key is absent.  Paths are relative to the current directory (the
 * file's own relative paths are resolved against its directory).  Everything
 * lives in the object's arena until fl_lintconfig_free(). */
typedef struct fl_path_ignore {
	const char *pattern;   /* glob, relative to the configuration's directory */
	const char *codes;
} fl_path_ignore;

typedef struct fl_lintconfig {
	const char *path;             /* the file read, NULL before a read */
	const char *dir;              /* its directory */
	const char *select, *ignore, *extend_select;
	const char *target_falco;     /* NULL: not set */
	const char *fail_on;          /* "error", "warning", "info" or NULL */
	const char **rules;           /* context rules files, in order */
	size_t nrules;
	const char **scenarios;       /* extra scenario files, in order */
	size_t nscenarios;
	fl_path_ignore *path_ignores;
	size_t npath_ignores;
	const char *error;            /* "file:line:col: problem" after FL_EUSAGE */
	struct fl_arena *arena;
	const char *absdir;           /* realpath of dir, for path matching */
} fl_lintconfig;

#define FL_LINTCONFIG_NAME ".falco-lint.yaml"

/* A new, empty configuration, or NULL when out of memory. */
fl_lintconfig *fl_lintconfig_new(void);
void fl_lintconfig_free(fl_lintconfig *c);
/* Reads configuration file `path` into c.  Returns 0, FL_EUSAGE (c->error
 * says where and what), or FL_ENOMEM. */
int fl_lintconfig_read(fl_lintconfig *c, const char *path);
/* Looks for FL_LINTCONFIG_NAME in `dir` and each parent up to the root and
 * reads the first found.  Returns 0 when one was read, 1 when none exists,
 * or like fl_lintconfig_read. */
int fl_lintconfig_discover(fl_lintconfig *c, const char *dir);
/* The codes the per-path ignores turn off for diagnostics in `file` (as the
 * session reports it), joined with commas; NULL when no pattern matches. */
const char *fl_lintconfig_path_ignores(const fl_lintconfig *c, const char *file);

/* Drops the diagnostics that inline '# falco-lint: disable=' comments cover
 * and reports unused (FL901) and malformed (FL902) suppressions.  Called by
 * fl_session_run before the views are built; returns 0 or FL_ENOMEM. */
int fl_suppress_apply(fl_session *s);

/* ---- versions --------------------------------------------------------- */

/* Engine version ("0.62.0") of Falco release `falco` ("0.44.1"), or NULL. */
const char *fl_engine_version_of(const char *falco);
/* Newest Falco release the catalogue knows. */
const char *fl_newest_falco(void);

/* ---- scenarios and evaluation (issue: scenarios) ---------------------- */
/* BEGIN SCENARIO API */
/* Adds a scenario file (--scenario FILE) to evaluate besides the built-in
 * catalogue.  An unreadable file becomes a diagnostic; a malformed one
 * gets diagnostics when the session runs.  Returns 0 or a negative FL_E*. */
int fl_session_add_scenario(fl_session *s, const char *path);
/* 1 if `name` is a driver --driver accepts (modern_bpf, ebpf, kmod). */
int fl_driver_name_valid(const char *name);
/* Restricts evaluation (FL5xx checks and the results below) to the
 * scenario named `name` (copied; NULL: every scenario).  Call before
 * fl_session_run.  Returns 0 or FL_ENOMEM. */
int fl_session_only_scenario(fl_session *s, const char *name);
/* Asks fl_session_run to keep, for every scenario variant, the rules that
 * fire and may fire on it (what `falco-lint eval` shows).  Call before
 * fl_session_run. */
void fl_session_keep_evaluation(fl_session *s);

/* One loaded scenario, for `falco-lint scenarios`. */
typedef struct fl_scenario_view {
	const char *name;
	const char *kind;          /* "benign" or "malicious" */
	const char *summary;       /* or NULL */
	const char *source;        /* event source ("syscall") */
	const char *file;          /* "<builtin>/memfd.yaml" or the path given */
	int builtin;
	size_t nrefs;
	const char *const *refs;
	size_t nvariants;
	const char *const *variants;        /* event names */
	const char *const *variant_drivers; /* "modern_bpf, ebpf"; "" = every driver */
} fl_scenario_view;

/* Scenarios loaded by fl_session_run (built-in first, then the added
 * files in order; malformed ones are skipped and have diagnostics). */
size_t fl_session_nscenarios(const fl_session *s);
const fl_scenario_view *fl_session_scenario_at(const fl_session *s, size_t i);

/* What one scenario variant makes the enabled rules do.  Rule names are in
 * evaluation order.  Only variants of the --driver and --scenario-name
 * selection are listed. */
typedef struct fl_eval_result {
	const char *scenario, *variant;
	const char *kind;          /* "benign" or "malicious" */
	size_t nfires;
	const char *const *fires;     /* the condition is true */
	size_t nmay_fire;
	const char *const *may_fire;  /* unknown: depends on fields not given */
} fl_eval_result;

/* Results kept by fl_session_keep_evaluation(), in scenario and variant
 * order; 0 / NULL when evaluation was not kept. */
size_t fl_session_neval(const fl_session *s);
const fl_eval_result *fl_session_eval_at(const fl_session *s, size_t i);
/* END SCENARIO API */

/* ---- fixes (issue: fix) ----------------------------------------------- */
/* BEGIN FIX API */
typedef struct fl_fix fl_fix;

typedef struct fl_fix_options {
	const char *only;        /* fix only scenarios whose name matches this
				  * glob ("runc-*"); NULL: every scenario */
	int helm;                /* Helm values form (customRules entry) */
	const char *helm_entry;  /* its customRules key; NULL:
				  * "falco-lint-fixes.yaml" */
} fl_fix_options;

/* Synthesises an override entry for every FL501 finding of session `s`
 * (which must have run), verifying each candidate by re-loading the same
 * inputs plus the entry in a new session: kept only if the benign
 * scenario stops firing, every malicious scenario that fired still fires
 * and no diagnostic appears.  *out lives in s's arena.  0 or FL_E*. */
int fl_fix_run(fl_session *s, const fl_fix_options *o, fl_fix **out);
/* The YAML to print (rules entries or the customRules form); "" (len 0)
 * when there is nothing to fix. */
const char *fl_fix_text(const fl_fix *f, size_t *len);
/* Number of override entries in the result. */
size_t fl_fix_nentries(const fl_fix *f);
/* Findings no verified candidate fixes, as messages. */
size_t fl_fix_nunfixed(const fl_fix *f);
const char *fl_fix_unfixed(const fl_fix *f, size_t i);
/* Candidates tried, in order, with the verdict on each (for --verbose). */
size_t fl_fix_nlog(const fl_fix *f);
const char *fl_fix_log(const fl_fix *f, size_t i);
/* Merges the fix into the existing content old[0..oldlen) of file `name`
 * (a rules file, or with the helm option a values file): entries already
 * present are not added again and the existing bytes are kept as they are.
 * *out (arena) receives the new content, *changed 0 when nothing was
 * added.  FL_EUSAGE with *err when the file cannot be merged into. */
int fl_fix_merge(fl_fix *f, const char *name, const char *old, size_t oldlen,
		 char **out, size_t *outlen, int *changed, const char **err);
/* Replaces file `path` with data[0..len) atomically (temporary file in
 * the same directory, fsync, rename; an existing file's mode is kept).
 * 0, or FL_EIO with a message in err[errlen] and the old file intact. */
int fl_write_file_atomic(const char *path, const char *data, size_t len,
			 char *err, size_t errlen);
/* END FIX API */

#ifdef __cplusplus
}
#endif
#endif
