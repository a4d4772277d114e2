/* evalops.c — the value semantics of Falco's filter comparisons, written
 * after libsinsp (filter_compare.cpp, sinsp_filtercheck.cpp, prefix_search.h,
 * sinsp_filter_transformer.cpp), lifted to three values: a field the event
 * does not give is unknown, a field Falco cannot extract makes every
 * comparison false. */
#define _GNU_SOURCE /* FNM_CASEFOLD, memmem */
#include "evalops.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "falcolint.h"
#include "fields.h"

/* ---- three-valued logic ------------------------------------------------ */

fl_tv fl_tv_and(fl_tv a, fl_tv b)
{
	if (a == FL_FALSE || b == FL_FALSE)
		return FL_FALSE;
	if (a == FL_TRUE && b == FL_TRUE)
		return FL_TRUE;
	return FL_UNKNOWN;
}

fl_tv fl_tv_or(fl_tv a, fl_tv b)
{
	if (a == FL_TRUE || b == FL_TRUE)
		return FL_TRUE;
	if (a == FL_FALSE && b == FL_FALSE)
		return FL_FALSE;
	return FL_UNKNOWN;
}

fl_tv fl_tv_not(fl_tv a)
{
	return a == FL_TRUE ? FL_FALSE : a == FL_FALSE ? FL_TRUE : FL_UNKNOWN;
}

const char *fl_tv_name(fl_tv t)
{
	return t == FL_TRUE ? "true" : t == FL_FALSE ? "false" : "unknown";
}

/* ---- values ------------------------------------------------------------ */

fl_value fl_value_unknown(void)
{
	fl_value v = {0};
	v.kind = FL_V_UNKNOWN;
	return v;
}

fl_value fl_value_none(void)
{
	fl_value v = {0};
	v.kind = FL_V_NONE;
	return v;
}

fl_value fl_value_str(const char *s)
{
	fl_value v = {0};
	v.kind = FL_V_STR;
	v.s = s;
	v.len = strlen(s);
	return v;
}

fl_value fl_value_int(int64_t i)
{
	fl_value v = {0};
	v.kind = FL_V_INT;
	v.i = i;
	return v;
}

fl_value fl_value_uint(uint64_t u)
{
	fl_value v = {0};
	v.kind = FL_V_UINT;
	v.u = u;
	return v;
}

fl_value fl_value_bool(int b)
{
	fl_value v = {0};
	v.kind = FL_V_BOOL;
	v.u = b != 0;
	return v;
}

const char *fl_vkind_name(fl_vkind k)
{
	switch (k) {
	case FL_V_UNKNOWN: return "unknown";
	case FL_V_NONE: return "none";
	case FL_V_STR: return "string";
	case FL_V_BUF: return "buffer";
	case FL_V_INT: return "int64";
	case FL_V_UINT: return "uint64";
	case FL_V_BOOL: return "bool";
	case FL_V_IP: return "ip address";
	case FL_V_NET: return "ip network";
	case FL_V_LIST: return "list";
	}
	return "?";
}

fl_vkind fl_vkind_of_ftype(int ftype)
{
	switch ((fl_ftype)ftype) {
	case FL_T_CHARBUF:
	case FL_T_FSPATH:
	case FL_T_FSRELPATH:
		return FL_V_STR;
	case FL_T_BYTEBUF:
		return FL_V_BUF;
	case FL_T_BOOL:
		return FL_V_BOOL;
	case FL_T_INT8:
	case FL_T_INT16:
	case FL_T_INT32:
	case FL_T_INT64:
	case FL_T_ERRNO:
	case FL_T_FD:
	case FL_T_FD32:
	case FL_T_PID:
	case FL_T_PID32:
		return FL_V_INT;
	case FL_T_UINT8:
	case FL_T_UINT16:
	case FL_T_UINT32:
	case FL_T_UINT64:
	case FL_T_RELTIME:
	case FL_T_ABSTIME:
	case FL_T_PORT:
	case FL_T_L4PROTO:
	case FL_T_UID:
	case FL_T_GID:
	case FL_T_SYSCALLID:
	case FL_T_SIGTYPE:
	case FL_T_SIGSET:
	case FL_T_MODE:
	case FL_T_FLAGS8:
	case FL_T_FLAGS16:
	case FL_T_FLAGS32:
	case FL_T_ENUMFLAGS8:
	case FL_T_ENUMFLAGS16:
	case FL_T_ENUMFLAGS32:
		return FL_V_UINT;
	case FL_T_IPADDR:
	case FL_T_IPNET:
	case FL_T_IPV4ADDR:
	case FL_T_IPV6ADDR:
	case FL_T_IPV4NET:
	case FL_T_IPV6NET:
		return FL_V_IP;
	default:
		return FL_V_UNKNOWN;
	}
}

/* Unsigned integer in decimal or 0x hex, the whole text and nothing else. */
static int parse_u64(const char *t, size_t n, uint64_t *out)
{
	char buf[32];
	if (n == 0 || n >= sizeof buf || t[0] == '-' || t[0] == '+' ||
	    isspace((unsigned char)t[0]))
		return -1;
	memcpy(buf, t, n);
	buf[n] = 0;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(buf, &end, 0);
	/* strtoull(…, 0) would read a leading 0 as octal; libsinsp reads
	 * decimal, so only 0x switches base. */
	if (buf[0] == '0' && n > 1 && buf[1] != 'x' && buf[1] != 'X')
		v = strtoull(buf, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_i64(const char *t, size_t n, int64_t *out)
{
	int neg = n > 0 && t[0] == '-';
	uint64_t u;
	if (parse_u64(t + neg, n - (size_t)neg, &u))
		return -1;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)u;
	}
	return 0;
}

static int parse_ip(const char *t, size_t n, fl_value *v)
{
	char buf[64];
	const char *slash = memchr(t, '/', n);
	size_t an = slash ? (size_t)(slash - t) : n;
	if (an == 0 || an >= sizeof buf)
		return -1;
	memcpy(buf, t, an);
	buf[an] = 0;
	/* libsinsp picks the family by the presence of a dot. */
	v->ipv6 = memchr(buf, '.', an) == NULL;
	if (inet_pton(v->ipv6 ? AF_INET6 : AF_INET, buf, v->ip) != 1)
		return -1;
	v->kind = FL_V_IP;
	if (slash) {
		uint64_t p;
		unsigned max = v->ipv6 ? 128 : 32;
		if (parse_u64(slash + 1, n - an - 1, &p) || p > max)
			return -1;
		v->kind = FL_V_NET;
		v->prefix = (unsigned char)p;
	}
	return 0;
}

int fl_value_parse(fl_arena *a, fl_vkind kind, const char *text, size_t len,
		   fl_value *out)
{
	fl_value v = {0};
	v.kind = kind;
	v.s = fl_arena_strndup(a, text, len);
	v.len = len;
	if (!v.s)
		return FL_ENOMEM;
	switch (kind) {
	case FL_V_STR:
	case FL_V_BUF:
		break;
	case FL_V_INT:
		if (parse_i64(text, len, &v.i))
			return FL_EUSAGE;
		break;
	case FL_V_UINT:
		if (parse_u64(text, len, &v.u))
			return FL_EUSAGE;
		break;
	case FL_V_BOOL:
		if (len == 4 && !memcmp(text, "true", 4))
			v.u = 1;
		else if (len == 5 && !memcmp(text, "false", 5))
			v.u = 0;
		else
			return FL_EUSAGE;
		break;
	case FL_V_IP:
	case FL_V_NET:
		if (parse_ip(text, len, &v))
			return FL_EUSAGE;
		if (kind == FL_V_NET && v.kind != FL_V_NET)
			return FL_EUSAGE;
		break;
	default:
		return FL_EUSAGE;
	}
	*out = v;
	return 0;
}

/* Text of a scalar, rebuilt when it was made by a constructor. */
static const char *value_text(fl_arena *a, const fl_value *v, size_t *len)
{
	char buf[64];
	if (v->s) {
		*len = v->len;
		return v->s;
	}
	switch (v->kind) {
	case FL_V_INT:
		snprintf(buf, sizeof buf, "%lld", (long long)v->i);
		break;
	case FL_V_UINT:
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)v->u);
		break;
	case FL_V_BOOL:
		snprintf(buf, sizeof buf, "%s", v->u ? "true" : "false");
		break;
	case FL_V_IP:
	case FL_V_NET: {
		char ab[INET6_ADDRSTRLEN];
		if (!inet_ntop(v->ipv6 ? AF_INET6 : AF_INET, v->ip, ab, sizeof ab))
			return NULL;
		if (v->kind == FL_V_NET)
			snprintf(buf, sizeof buf, "%s/%u", ab, v->prefix);
		else
			snprintf(buf, sizeof buf, "%s", ab);
		break;
	}
	default:
		return NULL;
	}
	*len = strlen(buf);
	return fl_arena_strdup(a, buf);
}

int fl_value_coerce(fl_arena *a, const fl_value *in, fl_vkind kind,
		    fl_value *out)
{
	if (in->kind == FL_V_UNKNOWN || in->kind == FL_V_NONE) {
		*out = *in;
		return 0;
	}
	if (in->kind == FL_V_LIST) {
		fl_value *items = fl_arena_alloc(a, (in->n ? in->n : 1) * sizeof(*items));
		if (!items)
			return FL_ENOMEM;
		for (size_t i = 0; i < in->n; i++) {
			int rc = fl_value_coerce(a, &in->items[i], kind, &items[i]);
			if (rc)
				return rc;
		}
		*out = *in;
		out->items = items;
		return 0;
	}
	size_t len;
	const char *t = value_text(a, in, &len);
	if (!t)
		return in->kind == FL_V_IP || in->kind == FL_V_NET ? FL_EUSAGE
								  : FL_ENOMEM;
	return fl_value_parse(a, kind, t, len, out);
}

const char *fl_value_format(fl_arena *a, const fl_value *v)
{
	switch (v->kind) {
	case FL_V_UNKNOWN:
		return "unknown";
	case FL_V_NONE:
		return "<NA>";
	case FL_V_STR:
	case FL_V_BUF:
		return fl_arena_printf(a, "\"%s\"", v->s);
	case FL_V_LIST: {
		const char *acc = "(";
		for (size_t i = 0; i < v->n && acc; i++) {
			const char *it = fl_value_format(a, &v->items[i]);
			if (!it)
				return NULL;
			acc = fl_arena_printf(a, "%s%s%s", acc, i ? ", " : "", it);
		}
		return acc ? fl_arena_printf(a, "%s)", acc) : NULL;
	}
	default: {
		size_t len;
		fl_value tmp = *v;
		tmp.s = NULL; /* print the value, not how it was spelt */
		return value_text(a, &tmp, &len);
	}
	}
}

/* ---- operators --------------------------------------------------------- */

int fl_op_applies(fl_op op, fl_vkind kind)
{
	if ((unsigned)op >= FL_NOPS)
		return 0;
	const fl_opinfo *o = &fl_op_table[op];
	switch (kind) {
	case FL_V_INT:
	case FL_V_UINT:
		return (o->classes & FL_TC_NUM) != 0;
	case FL_V_BOOL:
		return (o->classes & FL_TC_BOOL) != 0;
	case FL_V_IP:
	case FL_V_NET:
		return (o->classes & FL_TC_IP) != 0;
	case FL_V_STR:
		return (o->classes & FL_TC_STR) != 0;
	case FL_V_BUF:
		return (o->classes & FL_TC_BUF) != 0;
	case FL_V_LIST:
		return o->list_ok;
	default:
		/* unknown / none: the field's type decides, not the value */
		return 1;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fl_literal_parse(fl_arena *a, fl_op op, fl_vkind kind,
		     const char *text, size_t len, fl_value *out)
{
	if (op != FL_OP_BCONTAINS && op != FL_OP_BSTARTSWITH)
		return fl_value_parse(a, kind, text, len, out);
	/* Byte operators take an even number of hex digits. */
	if (len % 2)
		return FL_EUSAGE;
	char *b = fl_arena_alloc(a, len / 2 + 1);
	if (!b)
		return FL_ENOMEM;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval((unsigned char)text[i]);
		int lo = hexval((unsigned char)text[i + 1]);
		if (hi < 0 || lo < 0)
			return FL_EUSAGE;
		b[i / 2] = (char)(hi << 4 | lo);
	}
	fl_value v = {0};
	v.kind = FL_V_BUF;
	v.s = b;
	v.len = len / 2;
	*out = v;
	return 0;
}

/* ---- regexes ----------------------------------------------------------- */

typedef struct rx_entry {
	const char *pat;
	size_t len;
	pcre2_code *code;   /* NULL: the pattern is invalid */
	const char *err;
} rx_entry;

typedef struct pm_path pm_path;

struct fl_opctx {
	fl_arena *arena;
	FL_VEC(rx_entry) rx;
	pcre2_match_data *md;
	/* pmatch scratch, reused by every comparison: a list of a million
	 * search paths must not cost two allocations per item */
	pm_path *pm_search, *pm_value;
};

fl_opctx *fl_opctx_new(fl_arena *a)
{
	fl_opctx *c = fl_arena_alloc(a, sizeof(*c));
	if (c)
		c->arena = a;
	return c;
}

void fl_opctx_release(fl_opctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->rx.n; i++)
		pcre2_code_free(c->rx.v[i].code);
	c->rx.n = 0;
	pcre2_match_data_free(c->md);
	c->md = NULL;
}

/* RE2 in POSIX mode (how libsinsp compiles `regex`) refuses the Perl
 * extensions pcre2 would accept; report them so both engines agree. */
static const char *re2_posix_reject(const char *p, size_t n, char *buf,
				    size_t size)
{
	int in_class = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\\') {
			if (i + 1 >= n)
				return "trailing backslash at end of expression";
			unsigned char e = (unsigned char)p[++i];
			if (isalpha(e) && !strchr("afnrtvx", e)) {
				snprintf(buf, size, "invalid escape sequence: \\%c", e);
				return buf;
			}
			if (e >= '1' && e <= '9') {
				snprintf(buf, size, "invalid escape sequence: \\%c", e);
				return buf;
			}
			continue;
		}
		if (in_class) {
			if (c == '[' && i + 1 < n && p[i + 1] == ':') {
				const char *end = NULL;
				for (size_t j = i + 2; j + 1 < n; j++)
					if (p[j] == ':' && p[j + 1] == ']') {
						end = p + j + 1;
						break;
					}
				if (end)
					i = (size_t)(end - p);
			} else if (c == ']') {
				in_class = 0;
			}
			continue;
		}
		if (c == '[') {
			in_class = 1;
			/* a ']' first (after an optional '^') is literal */
			if (i + 1 < n && p[i + 1] == '^')
				i++;
			if (i + 1 < n && p[i + 1] == ']')
				i++;
			continue;
		}
		if (c == '(' && i + 1 < n && p[i + 1] == '?')
			return "missing argument to repetition operator: ?";
		if ((c == '*' || c == '+' || c == '?') && i + 1 < n &&
		    (p[i + 1] == '?' || p[i + 1] == '+' || p[i + 1] == '*')) {
			snprintf(buf, size, "bad repetition operator: %c%c", c,
				 p[i + 1]);
			return buf;
		}
	}
	if (in_class)
		return "missing ]";
	return NULL;
}

static const rx_entry *rx_get(fl_opctx *c, const char *pat, size_t len,
			      int *oom)
{
	*oom = 0;
	for (size_t i = 0; i < c->rx.n; i++)
		if (c->rx.v[i].len == len && !memcmp(c->rx.v[i].pat, pat, len))
			return &c->rx.v[i];
	rx_entry e = {0};
	e.pat = fl_arena_strndup(c->arena, pat, len);
	e.len = len;
	if (!e.pat) {
		*oom = 1;
		return NULL;
	}
	char buf[128];
	const char *why = re2_posix_reject(pat, len, buf, sizeof buf);
	if (why) {
		e.err = fl_arena_strdup(c->arena, why);
	} else {
		int ec;
		PCRE2_SIZE eoff;
		/* RE2 POSIX mode is multi-line (^/$ at line breaks: its
		 * one_line option is off) and works on UTF-8 text. */
		e.code = pcre2_compile((PCRE2_SPTR)pat, len,
				       PCRE2_UTF | PCRE2_MULTILINE,
				       &ec, &eoff, NULL);
		if (!e.code) {
			PCRE2_UCHAR m[120];
			pcre2_get_error_message(ec, m, sizeof m);
			e.err = fl_arena_printf(c->arena, "%s at offset %zu",
						(const char *)m, (size_t)eoff);
		}
	}
	if ((!e.code && !e.err) || FL_VEC_PUSH(c->arena, c->rx, e)) {
		pcre2_code_free(e.code);
		*oom = 1;
		return NULL;
	}
	return &c->rx.v[c->rx.n - 1];
}

int fl_regex_check(const char *pat, size_t len, char *msg, size_t size)
{
	char buf[128];
	const char *why = re2_posix_reject(pat, len, buf, sizeof buf);
	if (why) {
		snprintf(msg, size, "%s", why);
		return FL_EUSAGE;
	}
	int ec;
	PCRE2_SIZE eoff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len,
					 PCRE2_UTF | PCRE2_MULTILINE,
					 &ec, &eoff, NULL);
	if (!code) {
		PCRE2_UCHAR m[120];
		pcre2_get_error_message(ec, m, sizeof m);
		snprintf(msg, size, "%s", (const char *)m);
		return FL_EUSAGE;
	}
	pcre2_code_free(code);
	return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* libsinsp hands regex subjects through utf8::sanitize: an invalid byte
 * becomes U+FFFD, which `.` matches.  NULL on OOM; *outlen set. */
static char *utf8_sanitize(const char *s, size_t n, size_t *outlen)
{
	char *o = malloc(n * 3 + 1);
	size_t k = 0;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq((const unsigned char *)s + i, n - i);
		if (l) {
			memcpy(o + k, s + i, l);
			k += l;
			i += l;
		} else {
			memcpy(o + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	o[k] = 0;
	*outlen = k;
	return o;
}

/* Full match, as libsinsp's RE2 ANCHOR_BOTH. */
static int rx_match(fl_opctx *c, const fl_value *subj, const fl_value *pat,
		    int *res)
{
	int oom;
	const rx_entry *e = rx_get(c, pat->s, pat->len, &oom);
	if (!e)
		return FL_ENOMEM;
	if (!e->code)
		return FL_EUSAGE;
	if (!c->md) {
		c->md = pcre2_match_data_create(1, NULL);
		if (!c->md)
			return FL_ENOMEM;
	}
	size_t n;
	char *t = utf8_sanitize(subj->s, strlen(subj->s), &n);
	if (!t)
		return FL_ENOMEM;
	int rc = pcre2_match(e->code, (PCRE2_SPTR)t, n, 0,
			     PCRE2_ANCHORED | PCRE2_ENDANCHORED, c->md, NULL);
	free(t);
	if (rc == PCRE2_ERROR_NOMEMORY)
		return FL_ENOMEM;
	*res = rc >= 0;
	return 0;
}

/* ---- comparisons ------------------------------------------------------- */

/* strcasestr in the C locale, which is what Falco runs in. */
static int icontains(const char *h, const char *n)
{
	size_t nl = strlen(n);
	if (nl == 0)
		return 1;
	for (; *h; h++) {
		size_t i = 0;
		while (i < nl && h[i] &&
		       tolower((unsigned char)h[i]) == tolower((unsigned char)n[i]))
			i++;
		if (i == nl)
			return 1;
	}
	return 0;
}

/* One path split into '/'-separated components, empty ones skipped. */
#define PM_MAXC 256
struct pm_path {
	const char *c[PM_MAXC];
	size_t len[PM_MAXC];
	size_t n;
	int overflow;
};

static void pm_split(const char *s, pm_path *p)
{
	p->n = 0;
	p->overflow = 0;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l > 0) {
			if (p->n == PM_MAXC) {
				p->overflow = 1;
				return;
			}
			p->c[p->n] = s;
			p->len[p->n++] = l;
		}
		s += l;
		if (*s == '/')
			s++;
	}
}

static int pm_comp_match(const char *pc, size_t pl, const char *vc, size_t vl,
			 int *oom)
{
	/* Components with ?, * or [ are glob patterns (fnmatch, case
	 * sensitive); all others must be equal. */
	if (!memchr(pc, '?', pl) && !memchr(pc, '*', pl) && !memchr(pc, '[', pl))
		return pl == vl && !memcmp(pc, vc, pl);
	char *p = malloc(pl + 1), *v = malloc(vl + 1);
	int ok = 0;
	if (!p || !v) {
		*oom = 1;
	} else {
		memcpy(p, pc, pl);
		p[pl] = 0;
		memcpy(v, vc, vl);
		v[vl] = 0;
		ok = fnmatch(p, v, 0) == 0;
	}
	free(p);
	free(v);
	return ok;
}

/* pmatch: some search path is a prefix of the value, component by
 * component (prefix_search.h).  A value shorter than the search path does
 * not match: /var is not under /var/run. */
static int pmatch_one(fl_opctx *c, const char *search, const char *value,
		      int *oom)
{
	if (!c->pm_search)
		c->pm_search = fl_arena_alloc(c->arena, sizeof(*c->pm_search));
	if (!c->pm_value)
		c->pm_value = fl_arena_alloc(c->arena, sizeof(*c->pm_value));
	pm_path *s = c->pm_search, *v = c->pm_value;
	if (!s || !v) {
		*oom = 1;
		return 0;
	}
	pm_split(search, s);
	pm_split(value, v);
	if (s->overflow || s->n > v->n)
		return 0;
	int ok = 1;
	for (size_t i = 0; i < s->n && ok; i++)
		ok = pm_comp_match(s->c[i], s->len[i], v->c[i], v->len[i], oom);
	return ok;
}

static int ip_in_net(const fl_value *ip, const fl_value *net)
{
	if (ip->ipv6 != net->ipv6)
		return 0;
	unsigned bits = net->prefix;
	for (unsigned i = 0; i < 16 && bits; i++) {
		unsigned take = bits >= 8 ? 8 : bits;
		unsigned char mask = (unsigned char)(0xff << (8 - take));
		if ((ip->ip[i] & mask) != (net->ip[i] & mask))
			return 0;
		bits -= take;
	}
	return 1;
}

static int ord(int cmp, fl_op op)
{
	switch (op) {
	case FL_OP_EQ:
	case FL_OP_IN:
	case FL_OP_INTERSECTS:
		return cmp == 0;
	case FL_OP_NE: return cmp != 0;
	case FL_OP_LT: return cmp < 0;
	case FL_OP_LE: return cmp <= 0;
	case FL_OP_GT: return cmp > 0;
	case FL_OP_GE: return cmp >= 0;
	default: return 0;
	}
}

/* One known scalar against one known right-hand value (filter_compare.cpp
 * flt_compare_*).  `op` here is never a modifier or a list operator other
 * than as "equal to this element". */
static int scalar_cmp(fl_opctx *c, fl_op op, const fl_value *l,
		      const fl_value *r, int *res)
{
	/* == is = (libsinsp maps it before comparing); an element of in or
	 * intersects is equal or not */
	if (op == FL_OP_EQEQ || op == FL_OP_IN || op == FL_OP_INTERSECTS)
		op = FL_OP_EQ;
	int oom = 0;
	switch (l->kind) {
	case FL_V_STR:
		if (r->kind != FL_V_STR)
			return FL_EUSAGE;
		switch (op) {
		case FL_OP_CONTAINS:
			*res = strstr(l->s, r->s) != NULL;
			return 0;
		case FL_OP_ICONTAINS:
			*res = icontains(l->s, r->s);
			return 0;
		case FL_OP_STARTSWITH:
			*res = strncmp(l->s, r->s, strlen(r->s)) == 0;
			return 0;
		case FL_OP_ENDSWITH: {
			size_t ll = strlen(l->s), rl = strlen(r->s);
			*res = rl <= ll && !memcmp(l->s + ll - rl, r->s, rl);
			return 0;
		}
		case FL_OP_GLOB:
			*res = fnmatch(r->s, l->s, 0) == 0;
			return 0;
		case FL_OP_IGLOB:
			*res = fnmatch(r->s, l->s, FNM_CASEFOLD) == 0;
			return 0;
		case FL_OP_PMATCH:
			*res = pmatch_one(c, r->s, l->s, &oom);
			return oom ? FL_ENOMEM : 0;
		case FL_OP_REGEX:
			return rx_match(c, l, r, res);
		case FL_OP_BCONTAINS:
		case FL_OP_BSTARTSWITH:
		case FL_OP_EXISTS:
		case FL_NOPS:
			return FL_EUSAGE;
		default:
			*res = ord(strcmp(l->s, r->s), op);
			return 0;
		}
	case FL_V_BUF:
		if (r->kind != FL_V_BUF && r->kind != FL_V_STR)
			return FL_EUSAGE;
		switch (op) {
		case FL_OP_EQ:
			*res = l->len == r->len && !memcmp(l->s, r->s, l->len);
			return 0;
		case FL_OP_NE:
			*res = !(l->len == r->len && !memcmp(l->s, r->s, l->len));
			return 0;
		case FL_OP_CONTAINS:
		case FL_OP_BCONTAINS:
			*res = r->len == 0 || memmem(l->s, l->len, r->s, r->len) != NULL;
			return 0;
		case FL_OP_STARTSWITH:
		case FL_OP_BSTARTSWITH:
			*res = r->len <= l->len && !memcmp(l->s, r->s, r->len);
			return 0;
		case FL_OP_ENDSWITH:
			*res = r->len <= l->len &&
			       !memcmp(l->s + l->len - r->len, r->s, r->len);
			return 0;
		default:
			return FL_EUSAGE;
		}
	case FL_V_INT:
		if (r->kind != FL_V_INT || !fl_op_applies(op, FL_V_INT))
			return FL_EUSAGE;
		*res = ord(l->i < r->i ? -1 : l->i > r->i, op);
		return 0;
	case FL_V_UINT:
		if (r->kind != FL_V_UINT || !fl_op_applies(op, FL_V_UINT))
			return FL_EUSAGE;
		*res = ord(l->u < r->u ? -1 : l->u > r->u, op);
		return 0;
	case FL_V_BOOL:
		if (r->kind != FL_V_BOOL || (op != FL_OP_EQ && op != FL_OP_NE))
			return FL_EUSAGE;
		*res = ord(l->u != r->u, op);
		return 0;
	case FL_V_IP:
	case FL_V_NET:
		if (op != FL_OP_EQ && op != FL_OP_NE)
			return FL_EUSAGE;
		if (r->kind == FL_V_NET) {
			*res = ip_in_net(l, r) == (op == FL_OP_EQ);
		} else if (r->kind == FL_V_IP) {
			/* An address of the other family is simply unequal. */
			size_t n = l->ipv6 ? 16 : 4;
			int eq = l->ipv6 == r->ipv6 && !memcmp(l->ip, r->ip, n);
			*res = eq == (op == FL_OP_EQ);
		} else {
			return FL_EUSAGE;
		}
		return 0;
	default:
		return FL_EUSAGE;
	}
}

/* ---- value sets ---------------------------------------------------------- */

struct fl_vset {
	fl_vkind kind;          /* of every value */
	const fl_value *vals;
	uint32_t *slot;         /* open addressing: index + 1, 0 empty */
	size_t mask;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t bytes_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return mix64(h);
}

/* Hash and equality agree with scalar_cmp's `=` for two values of one
 * kind: a string up to its NUL (strcmp), a buffer by its bytes. */
static uint64_t vset_hash(const fl_value *v)
{
	switch (v->kind) {
	case FL_V_STR: return bytes_hash(v->s, strlen(v->s));
	case FL_V_BUF: return bytes_hash(v->s, v->len);
	case FL_V_INT: return mix64((uint64_t)v->i);
	default: return mix64(v->u);
	}
}

static int vset_eq(const fl_value *a, const fl_value *b)
{
	switch (a->kind) {
	case FL_V_STR: return strcmp(a->s, b->s) == 0;
	case FL_V_BUF: return a->len == b->len && !memcmp(a->s, b->s, a->len);
	case FL_V_INT: return a->i == b->i;
	default: return a->u == b->u;
	}
}

static int vset_indexable(const fl_value *v, fl_vkind kind)
{
	if (v->kind != kind)
		return 0;
	if (kind == FL_V_STR || kind == FL_V_BUF)
		return v->s != NULL;
	return kind == FL_V_INT || kind == FL_V_UINT || kind == FL_V_BOOL;
}

int fl_vset_new(fl_arena *a, const fl_value *rhs, size_t n,
		const fl_vset **out)
{
	*out = NULL;
	if (n == 0 || n >= UINT32_MAX / 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!vset_indexable(&rhs[i], rhs[0].kind))
			return 0;
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	fl_vset *s = fl_arena_alloc(a, sizeof(*s));
	uint32_t *slot = fl_arena_alloc(a, cap * sizeof(*slot));
	if (!s || !slot)
		return FL_ENOMEM;
	s->kind = rhs[0].kind;
	s->vals = rhs;
	s->slot = slot;
	s->mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)vset_hash(&rhs[i]) & s->mask;
		while (slot[h] && !vset_eq(&rhs[slot[h] - 1], &rhs[i]))
			h = (h + 1) & s->mask;
		if (!slot[h])
			slot[h] = (uint32_t)(i + 1);
	}
	*out = s;
	return 0;
}

/* 1 when `v` (of the set's kind) equals one of the set's values. */
static int vset_has(const fl_vset *s, const fl_value *v)
{
	size_t h = (size_t)vset_hash(v) & s->mask;
	while (s->slot[h]) {
		if (vset_eq(&s->vals[s->slot[h] - 1], v))
			return 1;
		h = (h + 1) & s->mask;
	}
	return 0;
}

/* 1 when every item of list `l` can be looked up in `s`. */
static int vset_fits_list(const fl_vset *s, const fl_value *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!vset_indexable(&l->items[i], s->kind))
			return 0;
	return 1;
}

int fl_compare(fl_opctx *c, fl_op op, fl_modifier mod, const fl_value *lhs,
	       const fl_value *rhs, size_t n, fl_tv *out)
{
	return fl_compare_set(c, op, mod, lhs, rhs, n, NULL, out);
}

int fl_compare_set(fl_opctx *c, fl_op op, fl_modifier mod,
		   const fl_value *lhs, const fl_value *rhs, size_t n,
		   const fl_vset *set, fl_tv *out)
{
	int rc, r = 0;
	if ((unsigned)op >= FL_NOPS)
		return FL_EUSAGE;
	if (!fl_op_applies(op, lhs->kind))
		return FL_EUSAGE;
	if (lhs->kind == FL_V_NONE) {
		*out = FL_FALSE;
		return 0;
	}
	if (lhs->kind == FL_V_UNKNOWN) {
		*out = FL_UNKNOWN;
		return 0;
	}
	if (op == FL_OP_EXISTS) {
		*out = FL_TRUE;
		return 0;
	}
	/* A right-hand field that Falco cannot extract fails the whole check;
	 * one the event does not give leaves it open. */
	int unknown = 0;
	for (size_t i = 0; i < n && !set; i++) { /* a set holds known values */
		if (rhs[i].kind == FL_V_NONE) {
			*out = FL_FALSE;
			return 0;
		}
		if (rhs[i].kind == FL_V_UNKNOWN)
			unknown = 1;
	}
	if (unknown) {
		*out = FL_UNKNOWN;
		return 0;
	}

	if (lhs->kind == FL_V_LIST) {
		/* in: every item is one of rhs (an empty list is); intersects:
		 * some item is. */
		int all = 1, any = 0;
		/* same kinds everywhere: the scan could not fail either */
		int indexed = set && (op == FL_OP_IN || op == FL_OP_INTERSECTS) &&
			      vset_fits_list(set, lhs);
		for (size_t i = 0; i < lhs->n; i++) {
			int found = indexed && vset_has(set, &lhs->items[i]);
			for (size_t j = 0; j < n && !found && !indexed; j++)
				if ((rc = scalar_cmp(c, FL_OP_EQ, &lhs->items[i],
						     &rhs[j], &found)))
					return rc;
			all &= found;
			any |= found;
		}
		*out = (op == FL_OP_IN ? all : any) ? FL_TRUE : FL_FALSE;
		return 0;
	}

	if (mod != FL_MOD_NONE) {
		if (n == 0) {
			*out = FL_FALSE;
			return 0;
		}
		size_t matches = 0;
		for (size_t i = 0; i < n; i++) {
			int m;
			if ((rc = scalar_cmp(c, op, lhs, &rhs[i], &m)))
				return rc;
			matches += (size_t)m;
		}
		switch (mod) {
		case FL_MOD_ONEOF: r = matches == 1; break;
		case FL_MOD_ANYOF: r = matches > 0; break;
		default: r = matches == n; break;
		}
		*out = r ? FL_TRUE : FL_FALSE;
		return 0;
	}

	if (fl_op_table[op].syntax == FL_OPSYN_LIST) {
		if (set && op != FL_OP_PMATCH && vset_indexable(lhs, set->kind)) {
			*out = vset_has(set, lhs) ? FL_TRUE : FL_FALSE;
			return 0;
		}
		for (size_t i = 0; i < n && !r; i++)
			if ((rc = scalar_cmp(c, op, lhs, &rhs[i], &r)))
				return rc;
		*out = r ? FL_TRUE : FL_FALSE;
		return 0;
	}

	if (n == 0) {
		*out = FL_FALSE;
		return 0;
	}
	if ((rc = scalar_cmp(c, op, lhs, &rhs[0], &r)))
		return rc;
	*out = r ? FL_TRUE : FL_FALSE;
	return 0;
}

/* ---- transformers ------------------------------------------------------ */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64 with or without '=' padding; -1 when the text is not base64. */
static long b64_decode(const char *in, size_t n, char *out)
{
	while (n > 0 && in[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return (long)o;
}

static int xform_scalar(fl_arena *a, fl_xform x, const fl_value *in,
			fl_value *out)
{
	if (x == FL_XF_B64 ? (in->kind != FL_V_STR && in->kind != FL_V_BUF)
			  : in->kind != FL_V_STR && !(x == FL_XF_LEN && in->kind == FL_V_BUF))
		return FL_EUSAGE;
	if (x == FL_XF_LEN) {
		*out = fl_value_uint(in->kind == FL_V_STR ? strlen(in->s) : in->len);
		return 0;
	}
	size_t n = in->kind == FL_V_STR ? strlen(in->s) : in->len;
	char *buf = fl_arena_alloc(a, n + 1);
	if (!buf)
		return FL_ENOMEM;
	size_t on = n;
	switch (x) {
	case FL_XF_TOLOWER:
	case FL_XF_TOUPPER:
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(x == FL_XF_TOLOWER
						? tolower((unsigned char)in->s[i])
						: toupper((unsigned char)in->s[i]));
		break;
	case FL_XF_BASENAME: {
		const char *sl = memrchr(in->s, '/', n);
		size_t start = sl ? (size_t)(sl - in->s) + 1 : 0;
		on = n - start;
		memcpy(buf, in->s + start, on);
		break;
	}
	case FL_XF_B64: {
		long d = b64_decode(in->s, n, buf);
		if (d < 0) {
			*out = fl_value_none();
			return 0;
		}
		on = (size_t)d;
		break;
	}
	default:
		return FL_EUSAGE;
	}
	buf[on] = 0;
	fl_value v = {0};
	v.kind = in->kind;
	v.s = buf;
	v.len = on;
	*out = v;
	return 0;
}

int fl_xform_apply(fl_arena *a, fl_xform x, const fl_value *in,
		   fl_value *out)
{
	if (in->kind == FL_V_UNKNOWN || in->kind == FL_V_NONE) {
		*out = *in;
		return 0;
	}
	if (in->kind != FL_V_LIST)
		return xform_scalar(a, x, in, out);
	if (x == FL_XF_LEN) {
		*out = fl_value_uint(in->n);
		return 0;
	}
	fl_value *items = fl_arena_alloc(a, (in->n ? in->n : 1) * sizeof(*items));
	if (!items)
		return FL_ENOMEM;
	for (size_t i = 0; i < in->n; i++) {
		int rc = xform_scalar(a, x, &in->items[i], &items[i]);
		if (rc)
			return rc;
		/* One undecodable item fails the whole extraction. */
		if (items[i].kind == FL_V_NONE) {
			*out = fl_value_none();
			return 0;
		}
	}
	*out = *in;
	out->items = items;
	return 0;
}
