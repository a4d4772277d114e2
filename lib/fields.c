/* fields.c — lookups over the compiled-in field catalogue, operator/type
 * table, evt.type names and event parameters (the data is in fields.def,
 * operators.def, evttypes.def and evtparams.def; the API in fields.h).
 * All tables are sorted at build time, so lookups binary-search them. */
#include "fields.h"

#include <stdio.h>
#include <string.h>

/* ---- the tables -------------------------------------------------------- */

#define V(a, b, c) {(a), (b), (c)}
#define V0 {0, 0, 0}

/* Short names the .def rows use; local to this file. */
#define REQ FL_ARG_REQUIRED
#define OPT FL_ARG_OPTIONAL
#define INDEX FL_ARG_INDEX
#define KEY FL_ARG_KEY
#define DOT FL_ARG_DOT
#define LIST FL_FF_LIST
#define DEPRECATED FL_FF_DEPRECATED
#define FILTER_ONLY FL_FF_FILTER_ONLY
#define PRINT_ONLY FL_FF_PRINT_ONLY
#define TABLE_ONLY FL_FF_TABLE_ONLY
#define HIDDEN FL_FF_HIDDEN
#define NO_RHS FL_FF_NO_RHS
#define NO_TRANSFORMER FL_FF_NO_TRANSFORMER
#define GENERIC FL_FF_GENERIC
#define LEGACY_DOT FL_FF_LEGACY_DOT
#define CONFIG FL_FF_CONFIG
#define SRC_SYSCALL (1u << FL_SRC_SYSCALL)
#define SRC_K8S_AUDIT (1u << FL_SRC_K8S_AUDIT)
#define SRC_AWS_CLOUDTRAIL (1u << FL_SRC_AWS_CLOUDTRAIL)
#define SRC_OKTA (1u << FL_SRC_OKTA)
#define SRC_GITHUB (1u << FL_SRC_GITHUB)
#define SRC_GCP_AUDITLOG (1u << FL_SRC_GCP_AUDITLOG)
#define SRC_PLUGINS (SRC_K8S_AUDIT | SRC_AWS_CLOUDTRAIL | SRC_OKTA | \
		     SRC_GITHUB | SRC_GCP_AUDITLOG)
#define SRC_ALL (SRC_SYSCALL | SRC_PLUGINS)

static const fl_field fields[] = {
#define FL_FIELD(name, type, arg, dot, flags, src, since, removed, warn, \
		 plugin, psince)                                          \
	{name, FL_T_##type, (arg), FL_##dot, (flags), (src), since, removed, \
	 warn, plugin, psince},
#include "fields.def"
#undef FL_FIELD
};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* The length of every name of fields[], from the same rows: the binary
 * searches (every field reference of every condition, output and
 * evaluation) compare without a strlen per probe. */
static const uint16_t field_len[] = {
#define FL_FIELD(name, ...) sizeof(name) - 1,
#include "fields.def"
#undef FL_FIELD
};
_Static_assert(sizeof field_len / sizeof field_len[0] == NFIELDS,
	       "one length per catalogue row");

#undef REQ
#undef OPT
#undef INDEX
#undef KEY
#undef DOT
#undef LIST
#undef DEPRECATED
#undef FILTER_ONLY
#undef PRINT_ONLY
#undef TABLE_ONLY
#undef HIDDEN
#undef NO_RHS
#undef NO_TRANSFORMER
#undef CONFIG
#undef LEGACY_DOT
#undef GENERIC

#define EV FL_EVT_EV
#define SC FL_EVT_SC
#define GENERIC FL_EVT_GENERIC
#define ASYNC FL_EVT_ASYNC
#define OLD FL_EVT_OLD
static const fl_evttype evttypes[] = {
#define FL_EVTTYPE(name, kind, since, ncodes, plugin) \
	{name, (kind), since, (ncodes), plugin},
#include "evttypes.def"
#undef FL_EVTTYPE
};
#define NEVTTYPES (sizeof evttypes / sizeof evttypes[0])
#undef EV
#undef SC
#undef GENERIC
#undef ASYNC
#undef OLD

static const struct {
	const char *old, *current;
} renamed_evttypes[] = {
#define FL_EVTTYPE_RENAMED(old, current) {old, current},
#include "evttypes.def"
#undef FL_EVTTYPE_RENAMED
};

static const struct {
	const char *name;
	fl_ftype type;
} evtparams[] = {
#define FL_EVTPARAM(name, type) {name, FL_T_##type},
#include "evtparams.def"
#undef FL_EVTPARAM
};
#define NEVTPARAMS (sizeof evtparams / sizeof evtparams[0])

static const struct {
	const char *event, *param;
} evtargs[] = {
#define FL_EVTARG(event, param) {event, param},
#include "evtparams.def"
#undef FL_EVTARG
};
#define NEVTARGS (sizeof evtargs / sizeof evtargs[0])

#undef V
#undef V0

/* The event-set bit of the generic syscall pair comes after the names. */
#define GENERIC_BIT NEVTTYPES
_Static_assert(NEVTTYPES + 1 <= FL_EVTSET_WORDS * 64,
	       "FL_EVTSET_WORDS too small for the evt.type table");

/* ---- helpers ------------------------------------------------------------ */

/* Compares name[0..len) with the NUL-terminated s the way strcmp does. */
static int cmp_n(const char *name, size_t len, const char *s)
{
	size_t slen = strlen(s);
	int c = memcmp(name, s, len < slen ? len : slen);
	if (c)
		return c;
	return len < slen ? -1 : len > slen ? 1 : 0;
}

static int is_digits(const char *s, size_t len)
{
	size_t i;
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int vzero(fl_version v)
{
	return v.major == 0 && v.minor == 0 && v.patch == 0;
}

/* Optimal-string-alignment distance of a and b, giving up (returning
 * limit + 1) when it exceeds limit.  Names are short; longer input is
 * refused rather than spending quadratic time on hostile text. */
#define SUGGEST_MAX 64
static unsigned edit_distance(const char *a, size_t la, const char *b,
			      size_t lb, unsigned limit)
{
	unsigned d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	size_t i, j;
	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned rowmin = ~0u;
		for (j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > limit)
			return limit + 1;
	}
	return d[la][lb];
}

/* How far a suggestion may be: a third of the name, at least 1, at most 3. */
static unsigned suggest_limit(size_t len)
{
	size_t l = len / 3;
	return l < 1 ? 1 : l > 3 ? 3 : (unsigned)l;
}

/* ---- types and sources ------------------------------------------------- */

static const struct {
	const char *name;
	fl_tclass cls;
} types[FL_NTYPES] = {
#define FL_TYPE_ROW_(name, cls) {#name, FL_TC_##cls},
	FL_TYPES(FL_TYPE_ROW_)
#undef FL_TYPE_ROW_
};

const char *fl_type_name(fl_ftype t)
{
	return (unsigned)t < FL_NTYPES ? types[t].name : NULL;
}

fl_tclass fl_type_class(fl_ftype t)
{
	return (unsigned)t < FL_NTYPES ? types[t].cls : FL_TC_NONE;
}

const char *fl_tclass_name(fl_tclass c)
{
	switch (c) {
	case FL_TC_NUM: return "numeric";
	case FL_TC_BOOL: return "bool";
	case FL_TC_STR: return "string";
	case FL_TC_BUF: return "buffer";
	case FL_TC_IP: return "ip";
	default: return "";
	}
}

static const struct {
	const char *name, *plugin;
} sources[FL_NSOURCES] = {
	[FL_SRC_SYSCALL] = {"syscall", NULL},
	[FL_SRC_K8S_AUDIT] = {"k8s_audit", "k8saudit"},
	[FL_SRC_AWS_CLOUDTRAIL] = {"aws_cloudtrail", "cloudtrail"},
	[FL_SRC_OKTA] = {"okta", "okta"},
	[FL_SRC_GITHUB] = {"github", "github"},
	[FL_SRC_GCP_AUDITLOG] = {"gcp_auditlog", "gcpaudit"},
};

int fl_source_lookup(const char *name, size_t len)
{
	int i;
	if (!name)
		return -1;
	for (i = 0; i < FL_NSOURCES; i++)
		if (cmp_n(name, len, sources[i].name) == 0)
			return i;
	return -1;
}

int fl_source_known(const char *name)
{
	return name && fl_source_lookup(name, strlen(name)) >= 0;
}

const char *fl_source_name(fl_source_id id)
{
	return (unsigned)id < FL_NSOURCES ? sources[id].name : NULL;
}

const char *fl_source_plugin(fl_source_id id)
{
	return (unsigned)id < FL_NSOURCES ? sources[id].plugin : NULL;
}

fl_version fl_source_since(fl_source_id id)
{
	/* plugin support, and with it every plugin source, came in 0.31.0 */
	if (id == FL_SRC_SYSCALL)
		return FL_VERSION_MAKE(0, 0, 0);
	return FL_VERSION_MAKE(0, 31, 0);
}

/* ---- fields ------------------------------------------------------------ */

size_t fl_field_count(void)
{
	return NFIELDS;
}

const fl_field *fl_field_at(size_t i)
{
	return i < NFIELDS ? &fields[i] : NULL;
}

/* cmp_n(name, len, fields[i].name) with the row's known length. */
static int cmp_field(const char *name, size_t len, size_t i)
{
	size_t fl = field_len[i];
	int c = memcmp(name, fields[i].name, len < fl ? len : fl);
	if (c)
		return c;
	return len < fl ? -1 : len > fl ? 1 : 0;
}

/* Index of the first row named name[0..len), or NFIELDS. */
static size_t field_first(const char *name, size_t len)
{
	size_t lo = 0, hi = NFIELDS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_field(name, len, mid) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < NFIELDS && cmp_field(name, len, lo) == 0)
		return lo;
	return NFIELDS;
}

const fl_field *fl_field_get(const char *name, size_t len)
{
	size_t i;
	if (!name)
		return NULL;
	i = field_first(name, len);
	return i < NFIELDS ? &fields[i] : NULL;
}

/* The row named name[0..len) that serves source `src` (-1: a source the
 * catalogue does not know, served by generic fields only); else the first
 * row of that name with *other = 1; NULL when there is none. */
static const fl_field *field_for_source(const char *name, size_t len,
					int src, int *other)
{
	size_t i = field_first(name, len);
	const fl_field *first = i < NFIELDS ? &fields[i] : NULL;
	*other = 0;
	for (; i < NFIELDS && cmp_field(name, len, i) == 0; i++) {
		if (src < 0 ? (fields[i].flags & FL_FF_GENERIC) != 0
			    : (fields[i].sources & (1u << src)) != 0)
			return &fields[i];
	}
	if (first)
		*other = 1;
	return first;
}

static const char *const status_text[] = {
	[FL_FIELD_OK] = "field is valid",
	[FL_FIELD_UNKNOWN] = "field does not exist",
	[FL_FIELD_UNKNOWN_SOURCE] = "event source is not known to the catalogue",
	[FL_FIELD_OTHER_SOURCE] = "field belongs to another event source",
	[FL_FIELD_NOT_YET] = "field is newer than the target Falco release",
	[FL_FIELD_REMOVED] = "field was removed before the target Falco release",
	[FL_FIELD_ARG_MISSING] = "field requires an argument",
	[FL_FIELD_ARG_UNEXPECTED] = "field does not take an argument in this form",
	[FL_FIELD_ARG_INVALID] = "field argument is not valid",
};

const char *fl_field_status_text(fl_field_status st)
{
	if ((unsigned)st >= sizeof status_text / sizeof status_text[0])
		return "";
	return status_text[st];
}

/* Checks the text after `name.` against the field's dot kind. */
static int dot_arg_ok(const fl_field *f, const char *a, size_t n,
		      fl_ftype *type)
{
	size_t i;
	if (n == 0)
		return 0;
	switch ((fl_dot_kind)f->dot) {
	case FL_DOT_PARAM:
		return fl_evtparam_find(a, n, type);
	case FL_DOT_EVTTYPE:
		return is_digits(a, n) || fl_evttype_index(a, n) >= 0;
	case FL_DOT_SRCDST:
		return cmp_n(a, n, "src") == 0 || cmp_n(a, n, "dst") == 0;
	case FL_DOT_WORD:
		for (i = 0; i < n; i++) {
			char c = a[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      c == '_'))
				return 0;
		}
		return 1;
	case FL_DOT_ANY:
		return 1;
	case FL_DOT_NONE:
		break;
	}
	return 0;
}

fl_field_status fl_field_resolve(const char *source, const char *name,
				 size_t name_len, const char *arg,
				 size_t arg_len, fl_version target,
				 fl_field_match *m)
{
	static const fl_version legacy_dot_end = {0, 41, 0};
	int src = source ? fl_source_lookup(source, strlen(source))
			 : FL_SRC_SYSCALL;
	int other = 0;
	const fl_field *f;
	fl_field_match r;

	memset(&r, 0, sizeof r);
	r.status = FL_FIELD_UNKNOWN;
	if (!name || !m) {
		if (m)
			*m = r;
		return FL_FIELD_UNKNOWN;
	}
	if (arg) {
		r.arg = arg;
		r.arg_len = arg_len;
	}
	f = field_for_source(name, name_len, src, &other);
	if (!f) {
		/* `evt.arg.flags` is one token: the field is the longest
		 * prefix, cut at a dot, that takes a dotted argument. */
		size_t cut = name_len;
		while (cut > 0) {
			const fl_field *p;
			int o;
			while (cut > 0 && name[cut - 1] != '.')
				cut--;
			if (cut == 0)
				break;
			p = field_for_source(name, cut - 1, src, &o);
			if (p && ((p->arg & FL_ARG_DOT) ||
				  (p->flags & FL_FF_LEGACY_DOT))) {
				f = p;
				other = o;
				r.form = FL_FORM_DOT;
				r.arg = name + cut;
				r.arg_len = name_len - cut;
				break;
			}
			cut--;
		}
		if (!f) {
			*m = r;
			return r.status;
		}
		if (arg) {
			/* `evt.arg.fd[0]`: two arguments */
			r.field = f;
			r.status = FL_FIELD_ARG_UNEXPECTED;
			*m = r;
			return r.status;
		}
	}
	r.field = f;
	r.type = f->type;
	if (other) {
		r.status = src < 0 ? FL_FIELD_UNKNOWN_SOURCE
				   : FL_FIELD_OTHER_SOURCE;
		*m = r;
		return r.status;
	}
	if (fl_version_cmp(target, f->since) < 0) {
		r.status = FL_FIELD_NOT_YET;
		*m = r;
		return r.status;
	}
	if (!vzero(f->removed) && fl_version_cmp(target, f->removed) >= 0) {
		r.status = FL_FIELD_REMOVED;
		*m = r;
		return r.status;
	}

	r.status = FL_FIELD_OK;
	if (r.form == FL_FORM_DOT) {
		fl_ftype pt = FL_T_NONE;
		if ((f->flags & FL_FF_LEGACY_DOT) &&
		    fl_version_cmp(target, legacy_dot_end) >= 0)
			r.status = FL_FIELD_ARG_UNEXPECTED;
		else if (!dot_arg_ok(f, r.arg, r.arg_len, &pt))
			r.status = FL_FIELD_ARG_INVALID;
		else if (f->type == FL_T_DYNAMIC)
			r.type = pt;
	} else if (arg) {
		if (!(f->arg & (FL_ARG_INDEX | FL_ARG_KEY))) {
			r.status = FL_FIELD_ARG_UNEXPECTED;
		} else if ((f->arg & FL_ARG_INDEX) && is_digits(arg, arg_len)) {
			unsigned long v = 0;
			size_t i;
			r.form = FL_FORM_INDEX;
			for (i = 0; i < arg_len; i++) {
				unsigned d = (unsigned)(arg[i] - '0');
				if (v > (~0ul - d) / 10) {
					r.status = FL_FIELD_ARG_INVALID;
					break;
				}
				v = v * 10 + d;
			}
			r.index = v;
		} else if (f->arg & FL_ARG_KEY) {
			r.form = FL_FORM_KEY;
		} else {
			r.form = FL_FORM_INDEX;
			r.status = FL_FIELD_ARG_INVALID;
		}
	} else if (f->arg & FL_ARG_REQUIRED) {
		r.status = FL_FIELD_ARG_MISSING;
	}
	if (f->type == FL_T_DYNAMIC && r.status != FL_FIELD_OK)
		r.type = FL_T_NONE;
	*m = r;
	return r.status;
}

fl_field_status fl_field_lookup(const char *source, const char *text,
				size_t len, fl_version target,
				fl_field_match *m)
{
	const char *br, *arg = NULL;
	size_t name_len = len, arg_len = 0;
	if (!text)
		return fl_field_resolve(source, NULL, 0, NULL, 0, target, m);
	br = memchr(text, '[', len);
	if (br) {
		name_len = (size_t)(br - text);
		arg = br + 1;
		if (len - name_len < 2 || text[len - 1] != ']') {
			/* unterminated bracket: not a field reference */
			fl_field_match r;
			memset(&r, 0, sizeof r);
			r.status = FL_FIELD_UNKNOWN;
			if (m)
				*m = r;
			return r.status;
		}
		arg_len = len - name_len - 2;
		if (arg_len >= 2 && (arg[0] == '"' || arg[0] == '\'') &&
		    arg[arg_len - 1] == arg[0]) {
			arg++;
			arg_len -= 2;
		}
	}
	return fl_field_resolve(source, text, name_len, arg, arg_len, target,
				m);
}

const fl_field *fl_field_find(const char *source, const char *text,
			      size_t len, fl_version target)
{
	fl_field_match m;
	if (fl_field_lookup(source, text, len, target, &m) != FL_FIELD_OK)
		return NULL;
	return m.field;
}

int fl_field_warns_deprecated(const fl_field *f, fl_version target)
{
	return f && !vzero(f->warn) && fl_version_cmp(target, f->warn) >= 0;
}

const char *fl_field_suggest(const char *source, const char *name,
			     size_t len, fl_version target)
{
	int src = source ? fl_source_lookup(source, strlen(source))
			 : FL_SRC_SYSCALL;
	unsigned limit = suggest_limit(len), best_d = limit + 1;
	const char *best = NULL;
	size_t i;
	if (!name || len == 0 || len > SUGGEST_MAX)
		return NULL;
	for (i = 0; i < NFIELDS; i++) {
		const fl_field *f = &fields[i];
		unsigned d;
		if (src < 0 ? !(f->flags & FL_FF_GENERIC)
			    : !(f->sources & (1u << src)))
			continue;
		if (fl_version_cmp(target, f->since) < 0 ||
		    (!vzero(f->removed) &&
		     fl_version_cmp(target, f->removed) >= 0))
			continue;
		if (f->flags & (FL_FF_HIDDEN | FL_FF_CONFIG))
			continue;
		d = edit_distance(name, len, f->name, strlen(f->name),
				  best_d - 1 < limit ? best_d - 1 : limit);
		if (d < best_d) {
			best_d = d;
			best = f->name;
		}
	}
	return best;
}

/* ---- operators --------------------------------------------------------- */

/* Element types whose list fields libsinsp can compare with in/intersects. */
static int list_elem_comparable(fl_ftype t)
{
	switch (t) {
	case FL_T_CHARBUF: case FL_T_UINT64: case FL_T_RELTIME:
	case FL_T_ABSTIME: case FL_T_BOOL: case FL_T_IPADDR: case FL_T_IPNET:
		return 1;
	default:
		return 0;
	}
}

int fl_op_allowed_type(fl_op op, fl_ftype t, int is_list)
{
	if ((unsigned)op >= FL_NOPS)
		return 0;
	if (op == FL_OP_EXISTS)
		return 1;
	if (is_list)
		return fl_op_table[op].list_ok && list_elem_comparable(t);
	return (fl_op_table[op].classes & (unsigned)fl_type_class(t)) != 0;
}

int fl_op_type_error(fl_op op, fl_ftype t, int is_list, char *buf, size_t n)
{
	const char *what, *text;
	if (!buf || n == 0)
		return fl_op_allowed_type(op, t, is_list) ? 0 : -1;
	buf[0] = 0;
	if (fl_op_allowed_type(op, t, is_list))
		return 0;
	if ((unsigned)op >= FL_NOPS) {
		snprintf(buf, n, "unrecognized filter comparison operator");
		return -1;
	}
	/* libsinsp maps == to = before it names the operator */
	text = op == FL_OP_EQEQ ? "=" : fl_op_table[op].text;
	if (is_list) {
		if (!list_elem_comparable(t))
			snprintf(buf, n,
				 "list filters are not supported for type '%s'",
				 fl_type_name(t) ? fl_type_name(t) : "");
		else  /* sic: libsinsp's wording */
			snprintf(buf, n,
				 "'%s' operator not supported list filters",
				 text);
		return -1;
	}
	switch (fl_type_class(t)) {
	/* libsinsp reports bool fields as numeric */
	case FL_TC_NUM: case FL_TC_BOOL: what = "numeric"; break;
	case FL_TC_STR: what = "string"; break;
	case FL_TC_BUF: what = "buffer"; break;
	case FL_TC_IP: what = "ip address and network"; break;
	default:
		snprintf(buf, n, "'%s' operator not supported for type '%s'",
			 text, fl_type_name(t) ? fl_type_name(t) : "");
		return -1;
	}
	snprintf(buf, n, "'%s' operator not supported for %s filters", text,
		 what);
	return -1;
}

int fl_op_allowed(fl_op op, const fl_field *f)
{
	if (!f)
		return 0;
	if (f->type == FL_T_DYNAMIC)
		return (unsigned)op < FL_NOPS;
	return fl_op_allowed_type(op, f->type, (f->flags & FL_FF_LIST) != 0);
}

int fl_modifier_allowed(fl_op op, fl_ftype t, int is_list)
{
	if (!fl_op_modifiable(op) || is_list)
		return 0;
	if (fl_type_class(t) == FL_TC_IP)
		return op == FL_OP_EQ || op == FL_OP_EQEQ || op == FL_OP_NE;
	return fl_op_allowed_type(op, t, 0);
}

int fl_xform_lookup(const char *name, size_t len)
{
	int i;
	if (!name)
		return -1;
	for (i = 0; i < FL_NXFORMS; i++)
		if (cmp_n(name, len, fl_xform_table[i].name) == 0)
			return i;
	return -1;
}

const fl_xform_info *fl_xform_get(fl_xform x)
{
	return (unsigned)x < FL_NXFORMS ? &fl_xform_table[x] : NULL;
}

int fl_xform_accepts(fl_xform x, fl_ftype t, int is_list)
{
	if ((unsigned)x >= FL_NXFORMS)
		return 0;
	if (is_list)
		return fl_xform_table[x].list_ok;
	/* join and getopt want a list; a single value is not one */
	if (x == FL_XF_JOIN || x == FL_XF_GETOPT)
		return 0;
	return (fl_xform_table[x].classes & (unsigned)fl_type_class(t)) != 0;
}

/* ---- event types ------------------------------------------------------- */

size_t fl_evttype_count(void)
{
	return NEVTTYPES;
}

const char *fl_evttype_name(size_t i)
{
	return i < NEVTTYPES ? evttypes[i].name : NULL;
}

const fl_evttype *fl_evttype_at(size_t i)
{
	return i < NEVTTYPES ? &evttypes[i] : NULL;
}

int fl_evttype_index(const char *name, size_t len)
{
	size_t lo = 0, hi = NEVTTYPES;
	if (!name)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_n(name, len, evttypes[mid].name);
		if (c == 0)
			return (int)mid;
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int fl_evttype_index_at(const char *name, size_t len, fl_version target)
{
	int i = fl_evttype_index(name, len);
	if (i >= 0 && fl_version_cmp(target, evttypes[i].since) < 0)
		return -1;
	return i;
}

const char *fl_evttype_renamed(const char *name, size_t len)
{
	size_t i;
	if (!name)
		return NULL;
	for (i = 0; i < sizeof renamed_evttypes / sizeof renamed_evttypes[0];
	     i++)
		if (cmp_n(name, len, renamed_evttypes[i].old) == 0)
			return renamed_evttypes[i].current;
	return NULL;
}

const char *fl_evttype_suggest(const char *name, size_t len)
{
	unsigned limit = suggest_limit(len), best_d = limit + 1;
	const char *best;
	size_t i;
	if (!name || len == 0 || len > SUGGEST_MAX)
		return NULL;
	best = fl_evttype_renamed(name, len);
	if (best)
		return best;
	for (i = 0; i < NEVTTYPES; i++) {
		const char *n = evttypes[i].name;
		unsigned d = edit_distance(name, len, n, strlen(n),
					   best_d - 1 < limit ? best_d - 1
							      : limit);
		if (d < best_d) {
			best_d = d;
			best = n;
		}
	}
	return best;
}

/* ---- event sets -------------------------------------------------------- */

static void bit_set(fl_evtset *s, size_t b)
{
	s->w[b / 64] |= (uint64_t)1 << (b % 64);
}

static int bit_get(const fl_evtset *s, size_t b)
{
	return (int)((s->w[b / 64] >> (b % 64)) & 1);
}

/* The bit carrying the codes of name i: its own events, else the shared
 * generic pair (syscalls without events), else the async pair (plugin
 * async names). */
static size_t evt_bit(size_t i)
{
	int asyncevent;
	if (evttypes[i].kind & FL_EVT_EV)
		return i;
	if (evttypes[i].kind & FL_EVT_SC)
		return GENERIC_BIT;
	asyncevent = fl_evttype_index("asyncevent", 10);
	return asyncevent >= 0 ? (size_t)asyncevent : GENERIC_BIT;
}

void fl_evtset_clear(fl_evtset *s)
{
	memset(s, 0, sizeof *s);
}

void fl_evtset_fill(fl_evtset *s)
{
	size_t i;
	fl_evtset_clear(s);
	for (i = 0; i < NEVTTYPES; i++)
		if (evttypes[i].kind & FL_EVT_EV)
			bit_set(s, i);
	bit_set(s, GENERIC_BIT);
}

int fl_evtset_add_name(fl_evtset *s, const char *name, size_t len)
{
	int i = fl_evttype_index(name, len);
	if (i < 0)
		return -1;
	bit_set(s, evt_bit((size_t)i));
	return 0;
}

void fl_evtset_union(fl_evtset *dst, const fl_evtset *src)
{
	size_t i;
	for (i = 0; i < FL_EVTSET_WORDS; i++)
		dst->w[i] |= src->w[i];
}

void fl_evtset_intersect(fl_evtset *dst, const fl_evtset *src)
{
	size_t i;
	for (i = 0; i < FL_EVTSET_WORDS; i++)
		dst->w[i] &= src->w[i];
}

void fl_evtset_complement(fl_evtset *dst)
{
	fl_evtset all;
	size_t i;
	fl_evtset_fill(&all);
	for (i = 0; i < FL_EVTSET_WORDS; i++)
		dst->w[i] = all.w[i] & ~dst->w[i];
}

int fl_evtset_empty(const fl_evtset *s)
{
	size_t i;
	for (i = 0; i < FL_EVTSET_WORDS; i++)
		if (s->w[i])
			return 0;
	return 1;
}

size_t fl_evtset_ncodes(const fl_evtset *s)
{
	/* the set bits only: a rule's set is a few types (this ran for
	 * every rule over all ~400 types, 1% of a large run) */
	size_t n = 0;
	for (size_t w = 0; w < FL_EVTSET_WORDS; w++)
		for (uint64_t m = s->w[w]; m; m &= m - 1) {
			size_t b = w * 64 + (size_t)__builtin_ctzll(m);
			if (b < NEVTTYPES)
				n += evttypes[b].ncodes;
			else if (b == GENERIC_BIT)
				n += 2;
		}
	return n;
}

int fl_evtset_has(const fl_evtset *s, size_t i)
{
	if (i >= NEVTTYPES)
		return 0;
	return bit_get(s, evt_bit(i));
}

/* ---- event parameters -------------------------------------------------- */

int fl_evtparam_find(const char *name, size_t len, fl_ftype *type)
{
	size_t lo = 0, hi = NEVTPARAMS;
	if (!name)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_n(name, len, evtparams[mid].name);
		if (c == 0) {
			if (type)
				*type = evtparams[mid].type;
			return 1;
		}
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int fl_evtparam_of(const char *event, size_t elen, const char *param,
		   size_t plen)
{
	size_t lo = 0, hi = NEVTARGS;
	if (!event || !param)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_n(event, elen, evtargs[mid].event);
		if (c == 0)
			c = cmp_n(param, plen, evtargs[mid].param);
		if (c == 0)
			return 1;
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
