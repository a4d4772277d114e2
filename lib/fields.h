/* fields.h — what Falco's field registry knows, compiled in: the fields of
 * every event source with their type, argument forms and the releases that
 * added, removed or deprecated them; which operators and transformers each
 * type accepts; the `evt.type` names and event parameters.  Everything is
 * static read-only data (fields.def, evttypes.def, evtparams.def,
 * operators.def); nothing allocates, every lookup is a binary search. */
#ifndef FL_FIELDS_H
#define FL_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "operators.h"
#include "version.h"

/* ---- value types ------------------------------------------------------ */

/* Type classes: what decides which operators apply (flt_is_comparable). */
typedef enum fl_tclass {
	FL_TC_NONE = 0,  /* not comparable at all (only `exists`) */
	FL_TC_NUM = 1,   /* integers, DOUBLE, times, ports, flags, ids */
	FL_TC_BOOL = 2,
	FL_TC_STR = 4,   /* CHARBUF and paths */
	FL_TC_BUF = 8,   /* BYTEBUF */
	FL_TC_IP = 16,   /* addresses and networks */
	FL_TC_ANY = 31
} fl_tclass;

/* X(name, class): libsinsp's PT_ types without the prefix.  The class
 * follows flt_is_comparable: types it does not list (UID, GID, FD32,
 * PID32, SIGSET, L4PROTO, sockets, arrays) compare with nothing but
 * `exists`. */
#define FL_TYPES(X)                                                         \
	X(NONE, NONE) X(CHARBUF, STR) X(BYTEBUF, BUF) X(BOOL, BOOL)         \
	X(INT8, NUM) X(INT16, NUM) X(INT32, NUM) X(INT64, NUM)              \
	X(UINT8, NUM) X(UINT16, NUM) X(UINT32, NUM) X(UINT64, NUM)          \
	X(DOUBLE, NUM) X(RELTIME, NUM) X(ABSTIME, NUM) X(PORT, NUM)         \
	X(L4PROTO, NONE) X(IPADDR, IP) X(IPNET, IP) X(IPV4ADDR, IP)         \
	X(IPV6ADDR, IP) X(IPV4NET, IP) X(IPV6NET, IP) X(FSPATH, STR)        \
	X(FSRELPATH, STR) X(ERRNO, NUM) X(FD, NUM) X(FD32, NONE)            \
	X(PID, NUM) X(PID32, NONE) X(UID, NONE) X(GID, NONE)                \
	X(SYSCALLID, NUM) X(SIGTYPE, NUM) X(SIGSET, NONE) X(MODE, NUM)      \
	X(FLAGS8, NUM) X(FLAGS16, NUM) X(FLAGS32, NUM) X(ENUMFLAGS8, NUM)   \
	X(ENUMFLAGS16, NUM) X(ENUMFLAGS32, NUM) X(SOCKADDR, NONE)           \
	X(SOCKTUPLE, NONE) X(FDLIST, NONE) X(CHARBUFARRAY, NONE)            \
	X(CHARBUF_PAIR_ARRAY, NONE) X(DYN, NONE)                            \
	X(DYNAMIC, NONE) /* evt.rawarg: the named parameter's type */

typedef enum fl_ftype {
#define FL_TYPE_ENUM_(name, cls) FL_T_##name,
	FL_TYPES(FL_TYPE_ENUM_)
#undef FL_TYPE_ENUM_
	FL_NTYPES
} fl_ftype;

/* "CHARBUF", "UINT64", ...; NULL for an invalid value. */
const char *fl_type_name(fl_ftype t);
fl_tclass fl_type_class(fl_ftype t);
/* The word Falco uses in "'contains' operator not supported for numeric
 * filters": "numeric", "bool", "string", "buffer", "ip", or "" (none). */
const char *fl_tclass_name(fl_tclass c);

/* ---- event sources ---------------------------------------------------- */

typedef enum fl_source_id {
	FL_SRC_SYSCALL,
	FL_SRC_K8S_AUDIT,
	FL_SRC_AWS_CLOUDTRAIL,
	FL_SRC_OKTA,
	FL_SRC_GITHUB,
	FL_SRC_GCP_AUDITLOG,
	FL_NSOURCES
} fl_source_id;

/* The source called name[0..len), or -1 when the catalogue does not know
 * it (a user's own plugin: only the generic evt.* fields are known). */
int fl_source_lookup(const char *name, size_t len);
/* 1 if the NUL-terminated `name` is a catalogued source. */
int fl_source_known(const char *name);
const char *fl_source_name(fl_source_id id);  /* NULL if invalid */
/* The plugin providing a plugin source ("k8saudit"), NULL for syscall. */
const char *fl_source_plugin(fl_source_id id);
/* First Falco release that could load rules of the source (plugin sources
 * need plugin support, 0.31.0). */
fl_version fl_source_since(fl_source_id id);

/* ---- fields ----------------------------------------------------------- */

/* Argument presence and forms (fl_field.arg). */
enum {
	FL_ARG_REQUIRED = 1, /* a bare name is an error */
	FL_ARG_OPTIONAL = 2,
	FL_ARG_INDEX = 4,    /* name[N] */
	FL_ARG_KEY = 8,      /* name[TEXT] */
	FL_ARG_DOT = 16      /* name.TEXT */
};

/* What the TEXT of a name.TEXT argument must be (fl_field.dot). */
typedef enum fl_dot_kind {
	FL_DOT_NONE,
	FL_DOT_PARAM,   /* an event parameter name: evt.arg.fd */
	FL_DOT_EVTTYPE, /* an event name or number: evt.type.is.open */
	FL_DOT_SRCDST,  /* "src" or "dst": evt.abspath.src */
	FL_DOT_WORD,    /* letters and '_': thread.cgroup.cpuacct */
	FL_DOT_ANY      /* any non-empty text */
} fl_dot_kind;

/* Field flags (fl_field.flags). */
enum {
	FL_FF_LIST = 1 << 0,           /* list-valued */
	FL_FF_DEPRECATED = 1 << 1,
	FL_FF_FILTER_ONLY = 1 << 2,    /* not in outputs */
	FL_FF_PRINT_ONLY = 1 << 3,     /* not in conditions */
	FL_FF_TABLE_ONLY = 1 << 4,     /* parses, but hidden from falco --list */
	FL_FF_HIDDEN = 1 << 5,
	FL_FF_NO_RHS = 1 << 6,         /* not with val() on either side */
	FL_FF_NO_TRANSFORMER = 1 << 7,
	FL_FF_GENERIC = 1 << 8,        /* evt.* valid for every source */
	FL_FF_LEGACY_DOT = 1 << 9,     /* name.KEY accepted before 0.41.0 */
	FL_FF_CONFIG = 1 << 10         /* exists only if falco.yaml defines it */
};

typedef struct fl_field {
	const char *name;        /* without argument: "proc.aname" */
	fl_ftype type;
	uint8_t arg;             /* FL_ARG_* */
	uint8_t dot;             /* fl_dot_kind */
	uint16_t flags;          /* FL_FF_* */
	uint8_t sources;         /* bit (1 << fl_source_id) per source */
	fl_version since;        /* 0.0.0: in every catalogued release */
	fl_version removed;      /* 0.0.0: never removed */
	fl_version warn;         /* loader warns it is deprecated from; 0.0.0 */
	const char *plugin;      /* providing plugin or NULL (built in) */
	const char *plugin_since;/* "k8saudit-0.10.0" or NULL */
} fl_field;

size_t fl_field_count(void);
const fl_field *fl_field_at(size_t i);  /* sorted by name; NULL past end */
/* The catalogue entry named exactly name[0..len) for any source and
 * release (no argument parsing), or NULL. */
const fl_field *fl_field_get(const char *name, size_t len);

typedef enum fl_field_status {
	FL_FIELD_OK,
	FL_FIELD_UNKNOWN,        /* no such field: Falco's "nonexistent field" */
	FL_FIELD_UNKNOWN_SOURCE, /* source not catalogued, field not generic */
	FL_FIELD_OTHER_SOURCE,   /* exists, but for other sources only */
	FL_FIELD_NOT_YET,        /* added after the target release */
	FL_FIELD_REMOVED,        /* removed at or before the target release */
	FL_FIELD_ARG_MISSING,    /* needs an argument and has none */
	FL_FIELD_ARG_UNEXPECTED, /* takes no argument, or not in this form */
	FL_FIELD_ARG_INVALID     /* right form, wrong text ([x] for an index,
				    evt.arg.nosuchparam, evt.abspath.foo) */
} fl_field_status;

typedef enum fl_arg_form {
	FL_FORM_NONE,
	FL_FORM_INDEX,
	FL_FORM_KEY,
	FL_FORM_DOT
} fl_arg_form;

/* The result of resolving a field reference. */
typedef struct fl_field_match {  /* members ordered to pack */
	fl_field_status status;
	fl_arg_form form;       /* how the argument was written */
	fl_ftype type;          /* value type; evt.rawarg.X: X's type */
	const fl_field *field;  /* the entry the status is about; NULL only
				   for UNKNOWN */
	const char *arg;        /* argument text (inside the brackets, quotes
				   removed; after the dot), or NULL */
	size_t arg_len;
	unsigned long index;    /* the number, for FL_FORM_INDEX */
} fl_field_match;

/* Resolves a field reference as the condition parser splits it: `name` is
 * the field token (which may carry a dotted argument, "evt.arg.flags"),
 * `arg` the text between [ and ] with quotes removed, or NULL when there
 * are no brackets.  Checks, for Falco release `target` and event source
 * `source` (NULL = syscall), existence, version and argument form; fills
 * *m (pointers into the caller's strings) and returns m->status. */
fl_field_status fl_field_resolve(const char *source, const char *name,
				 size_t name_len, const char *arg,
				 size_t arg_len, fl_version target,
				 fl_field_match *m);
/* The same for the written form "proc.aname[2]", `proc.env["MY VAR"]`
 * (a quoted argument is unquoted; escapes inside are not decoded). */
fl_field_status fl_field_lookup(const char *source, const char *text,
				size_t len, fl_version target,
				fl_field_match *m);
/* Shorthand: the field `text` names when it is valid for `source` and
 * `target` (status FL_FIELD_OK), else NULL. */
const fl_field *fl_field_find(const char *source, const char *text,
			      size_t len, fl_version target);
/* Lowercase phrase for a status ("field does not exist"). */
const char *fl_field_status_text(fl_field_status st);
/* 1 when Falco `target` warns that `f` is deprecated when a rule uses it
 * (evt.dir from 0.42.0, evt.latency* and evt.wait_latency from 0.43.0). */
int fl_field_warns_deprecated(const fl_field *f, fl_version target);
/* The field name closest to name[0..len) (edit distance, at most a third
 * of the length) among those valid for `source` and `target`, for "did you
 * mean"; NULL when nothing is close.  Static string. */
const char *fl_field_suggest(const char *source, const char *name,
			     size_t len, fl_version target);

/* ---- operators, modifiers, transformers ------------------------------- */

/* The enums fl_op, fl_modifier and fl_xform are in operators.h, with the
 * operator and modifier lookups that do not depend on a type. */

/* 1 if `op` applies to a value of type `t` (is_list: a list-valued
 * field): `exists` always; list fields only `in`/`intersects`, and only
 * for element types CHARBUF, UINT64, RELTIME, ABSTIME, BOOL, IPADDR,
 * IPNET.  For modifiers, check the base operator (on ip values only `=`,
 * `==` and `!=` take one: fl_modifier_allowed). */
int fl_op_allowed_type(fl_op op, fl_ftype t, int is_list);
/* When `op` does not apply to type `t` (is_list: a list field), writes
 * the reason into buf (size n) in Falco's words, without its "filter
 * error: " prefix ("'contains' operator not supported for numeric
 * filters") and returns -1; returns 0 (buf set to "") when it applies. */
int fl_op_type_error(fl_op op, fl_ftype t, int is_list, char *buf, size_t n);
/* fl_op_allowed_type() for a catalogue field (DYNAMIC counts as allowed:
 * resolve evt.rawarg.X with fl_field_resolve and use m->type instead). */
int fl_op_allowed(fl_op op, const fl_field *f);

/* 1 if `op` with a modifier applies to type `t`. */
int fl_modifier_allowed(fl_op op, fl_ftype t, int is_list);

typedef struct fl_xform_info {
	const char *name;
	unsigned classes;   /* fl_tclass bits of accepted arguments */
	int list_ok;        /* accepts list-valued fields */
	fl_ftype result;    /* FL_T_NONE for val(): the argument's type */
	unsigned min_args, max_args;  /* max_args 0: unbounded */
	fl_version since;
} fl_xform_info;

/* The transformers, indexed by fl_xform (operators.c, from operators.def). */
extern const fl_xform_info fl_xform_table[FL_NXFORMS];

/* The transformer called name[0..len) ("tolower", "val"), or -1. */
int fl_xform_lookup(const char *name, size_t len);
const fl_xform_info *fl_xform_get(fl_xform x);
/* 1 if transformer `x` accepts an argument of type `t`. */
int fl_xform_accepts(fl_xform x, fl_ftype t, int is_list);

/* ---- event types ------------------------------------------------------ */

enum {
	FL_EVT_EV = 1,       /* the driver event table has events of the name */
	FL_EVT_SC = 2,       /* a syscall name */
	FL_EVT_GENERIC = 4,  /* syscall seen only through generic events */
	FL_EVT_ASYNC = 8,    /* asynchronous event registered by a plugin */
	FL_EVT_OLD = 16      /* only old event versions: never produced now */
};

typedef struct fl_evttype {
	const char *name;
	unsigned kind;       /* FL_EVT_* */
	fl_version since;
	unsigned ncodes;     /* driver event codes with this name */
	const char *plugin;  /* for async events, or NULL */
} fl_evttype;

/* Number of names evt.type accepts. */
size_t fl_evttype_count(void);
/* The i-th accepted name (sorted), or NULL past the end. */
const char *fl_evttype_name(size_t i);
const fl_evttype *fl_evttype_at(size_t i);
/* Index of name[0..len) among the accepted names, or -1 when unknown. */
int fl_evttype_index(const char *name, size_t len);
/* The same, but -1 also for a name newer than Falco release `target`
 * (that release answers "unknown event type"). */
int fl_evttype_index_at(const char *name, size_t len, fl_version target);
/* For a name older libs accepted but today's do not ("newselect"), the
 * current spelling ("_newselect"); else NULL. */
const char *fl_evttype_renamed(const char *name, size_t len);
/* Closest accepted name for "did you mean", or NULL. */
const char *fl_evttype_suggest(const char *name, size_t len);

/* Event-type sets: how Falco decides that a syscall rule "matches too
 * many evt.type values" (LOAD_NO_EVTTYPE).  Falco (libsinsp
 * ppm_event_codes) walks the compiled condition, macros inlined:
 *   - `and` = intersection, `or` = union of the children's sets;
 *   - `not` is pushed down to the checks by De Morgan (inside an odd
 *     number of `not`s, `and` is a union and `or` an intersection);
 *   - a check `evt.type = X`, `== X`, `in (X, ...)` (field evt.type with
 *     no argument and no transformer) gives the set of X's event codes;
 *     `!=` its complement; under negation the set is complemented once
 *     more (so `not evt.type != X` is X again);
 *   - `evt.type exists` and every other check give the full set and are
 *     NOT complemented under negation (they are neutral);
 *   - a list RHS after list substitution is a list of names.
 * A name maps to codes as names_to_event_set does: every driver event of
 * that name (enter and exit, every version); a syscall name without
 * events of its own maps to the one generic event pair, which all such
 * names share — so `evt.type != acct` removes every generic syscall.
 * Falco then warns when the set has more than FL_EVTTYPE_WARN_CODES codes
 * (Falco <= 0.44.1 also when it is empty), unless warn_evttypes: false.
 * fl_evtset implements the sets with that code accounting.
 * Known approximation: codes are counted from the events of the catalogue
 * (every name has at least its enter/exit pair); plugin-only async names
 * (container_removed) are counted as the generic asyncevent pair. */
#define FL_EVTTYPE_WARN_CODES 100
#define FL_EVTSET_WORDS 8  /* a bit per evt.type name + the generic pair */

typedef struct fl_evtset {
	uint64_t w[FL_EVTSET_WORDS];
} fl_evtset;

void fl_evtset_clear(fl_evtset *s);
/* Every event code (a condition without any evt.type check). */
void fl_evtset_fill(fl_evtset *s);
/* Adds the codes of evt.type value name[0..len); -1 if the name is
 * unknown (Falco: "unknown event type X"), else 0. */
int fl_evtset_add_name(fl_evtset *s, const char *name, size_t len);
void fl_evtset_union(fl_evtset *dst, const fl_evtset *src);
void fl_evtset_intersect(fl_evtset *dst, const fl_evtset *src);
/* dst = every code not in dst. */
void fl_evtset_complement(fl_evtset *dst);
int fl_evtset_empty(const fl_evtset *s);
/* Number of driver event codes in the set (what Falco compares to 100). */
size_t fl_evtset_ncodes(const fl_evtset *s);
/* 1 if the set matches events of the accepted name with index i. */
int fl_evtset_has(const fl_evtset *s, size_t i);

/* ---- event parameters ------------------------------------------------- */

/* 1 if name[0..len) is an event parameter name (evt.arg.NAME); its type
 * (first event that has it) is stored in *type when type is not NULL. */
int fl_evtparam_find(const char *name, size_t len, fl_ftype *type);
/* 1 if events called event[0..elen) carry a parameter param[0..plen)
 * (in any direction or version), so `evt.arg.PARAM` can have a value on
 * them; 0 otherwise.  Syscalls without events of their own are "syscall". */
int fl_evtparam_of(const char *event, size_t elen, const char *param,
		   size_t plen);

#endif
