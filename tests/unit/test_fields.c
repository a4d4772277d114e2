/* test_fields.c — the compiled-in field catalogue, operator/type table,
 * evt.type names and event-type sets (lib/fields.c).  The last tests
 * cross-check the tables against ../shared (the upstream catalogue and
 * what Falco 0.44 compiled) and skip when it is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fields.h"
#include "version.h"

/* The reference tree beside the checkout; FL_SHARED_DIR overrides. */
static const char *shared_dir(void)
{
	const char *d = getenv("FL_SHARED_DIR");
	return d && *d ? d : "../shared";
}

static const fl_version T44 = {0, 44, 1};

static fl_version P(const char *s)
{
	fl_version v = {0, 0, 0};
	assert_int_equal(fl_version_parse(s, strlen(s), &v), 0);
	return v;
}

static fl_field_status look(const char *src, const char *text,
			    fl_version t, fl_field_match *m)
{
	return fl_field_lookup(src, text, strlen(text), t, m);
}

static void test_tables_sorted(void **state)
{
	size_t i;
	(void)state;
	assert_true(fl_field_count() > 600);
	for (i = 1; i < fl_field_count(); i++)
		assert_true(strcmp(fl_field_at(i - 1)->name,
				   fl_field_at(i)->name) <= 0);
	assert_null(fl_field_at(fl_field_count()));
	assert_int_equal(fl_evttype_count(), 488);
	for (i = 1; i < fl_evttype_count(); i++)
		assert_true(strcmp(fl_evttype_name(i - 1), fl_evttype_name(i)) < 0);
	for (i = 0; i < fl_evttype_count(); i++)
		assert_int_equal(fl_evttype_index(fl_evttype_name(i),
						  strlen(fl_evttype_name(i))),
				 (int)i);
	for (i = 0; i < fl_field_count(); i++) {
		const fl_field *f = fl_field_at(i);
		/* every row serves a source and has a real type */
		assert_true(f->sources != 0);
		assert_non_null(fl_type_name(f->type));
		/* a dotted argument always says what it must be */
		assert_true(!((f->arg & FL_ARG_DOT) ||
			      (f->flags & FL_FF_LEGACY_DOT)) ==
			    (f->dot == FL_DOT_NONE));
	}
}

static void test_plain_fields(void **state)
{
	fl_field_match m;
	(void)state;
	assert_int_equal(look("syscall", "proc.name", T44, &m), FL_FIELD_OK);
	assert_string_equal(m.field->name, "proc.name");
	assert_int_equal(m.type, FL_T_CHARBUF);
	assert_int_equal(m.form, FL_FORM_NONE);
	assert_non_null(fl_field_find(NULL, "fd.sport", 8, T44));
	assert_int_equal(fl_field_find(NULL, "fd.sport", 8, T44)->type, FL_T_PORT);
	assert_int_equal(look("syscall", "proc.nosuch", T44, &m), FL_FIELD_UNKNOWN);
	assert_null(m.field);
	/* no prefix matching: Falco rejects trailing text */
	assert_int_equal(look("syscall", "proc.name.x", T44, &m), FL_FIELD_UNKNOWN);
	assert_int_equal(look("syscall", "proc.nam", T44, &m), FL_FIELD_UNKNOWN);
	assert_int_equal(look("syscall", "fd.name[1]", T44, &m),
			 FL_FIELD_ARG_UNEXPECTED);
	assert_int_equal(look("syscall", "", T44, &m), FL_FIELD_UNKNOWN);
	assert_int_equal(look("syscall", "proc.aname[2", T44, &m), FL_FIELD_UNKNOWN);
	assert_int_equal(fl_field_lookup("syscall", NULL, 0, T44, &m),
			 FL_FIELD_UNKNOWN);
	/* the length bounds the name */
	assert_int_equal(fl_field_lookup("syscall", "proc.namexyz", 9, T44, &m),
			 FL_FIELD_OK);
}

static void test_bracket_args(void **state)
{
	fl_field_match m;
	(void)state;
	assert_int_equal(look(NULL, "proc.aname[2]", T44, &m), FL_FIELD_OK);
	assert_int_equal(m.form, FL_FORM_INDEX);
	assert_int_equal(m.index, 2);
	assert_int_equal(look(NULL, "proc.aname", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "proc.aname[x]", T44, &m),
			 FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "proc.aname[99999999999999999999999]", T44,
			      &m), FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "proc.env[HOME]", T44, &m), FL_FIELD_OK);
	assert_int_equal(m.form, FL_FORM_KEY);
	assert_int_equal(m.arg_len, 4);
	assert_memory_equal(m.arg, "HOME", 4);
	assert_int_equal(look(NULL, "proc.env[\"MY VAR\"]", T44, &m), FL_FIELD_OK);
	assert_int_equal(m.arg_len, 6);
	assert_memory_equal(m.arg, "MY VAR", 6);
	assert_int_equal(look(NULL, "evt.arg[0]", T44, &m), FL_FIELD_OK);
	assert_int_equal(m.form, FL_FORM_INDEX);
	assert_int_equal(look(NULL, "evt.arg", T44, &m), FL_FIELD_ARG_MISSING);
	assert_int_equal(look(NULL, "evt.around[1000]", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "k8s.pod.label[app]", T44, &m), FL_FIELD_OK);
	assert_string_equal(m.field->plugin, "container");
	assert_int_equal(look(NULL, "k8s.pod.label", T44, &m),
			 FL_FIELD_ARG_MISSING);
	/* index|key: a number is an index, anything else a key */
	assert_int_equal(look(NULL, "container.mount[0]", T44, &m), FL_FIELD_OK);
	assert_int_equal(m.form, FL_FORM_INDEX);
	assert_int_equal(look(NULL, "container.mount[/var/run]", T44, &m),
			 FL_FIELD_OK);
	assert_int_equal(m.form, FL_FORM_KEY);
	/* resolve() takes the pieces the parser already split */
	assert_int_equal(fl_field_resolve("syscall", "proc.aname", 10, "3", 1,
					  T44, &m), FL_FIELD_OK);
	assert_int_equal(m.index, 3);
}

static void test_dot_args(void **state)
{
	fl_field_match m;
	(void)state;
	assert_int_equal(look(NULL, "evt.arg.flags", T44, &m), FL_FIELD_OK);
	assert_string_equal(m.field->name, "evt.arg");
	assert_int_equal(m.form, FL_FORM_DOT);
	assert_int_equal(m.arg_len, 5);
	assert_memory_equal(m.arg, "flags", 5);
	assert_int_equal(look(NULL, "evt.arg.nosuchparam", T44, &m),
			 FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "evt.arg.", T44, &m), FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "evt.rawarg.res", T44, &m), FL_FIELD_OK);
	assert_int_equal(m.type, FL_T_ERRNO);
	assert_int_equal(look(NULL, "evt.rawarg.size", T44, &m), FL_FIELD_OK);
	assert_int_equal(fl_type_class(m.type), FL_TC_NUM);
	assert_int_equal(look(NULL, "evt.rawarg[0]", T44, &m),
			 FL_FIELD_ARG_UNEXPECTED);
	assert_int_equal(look(NULL, "evt.rawarg", T44, &m), FL_FIELD_ARG_MISSING);
	assert_int_equal(look(NULL, "evt.type.is.open", T44, &m), FL_FIELD_OK);
	assert_string_equal(m.field->name, "evt.type.is");
	assert_int_equal(look(NULL, "evt.type.is.3", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "evt.type.is.nosuch", T44, &m),
			 FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "evt.type", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "evt.abspath", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "evt.abspath.dst", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "evt.abspath.foo", T44, &m),
			 FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "thread.cgroup.cpuacct", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "thread.cgroup.cpu-1", T44, &m),
			 FL_FIELD_ARG_INVALID);
	assert_int_equal(look(NULL, "thread.cgroups", T44, &m), FL_FIELD_OK);
	assert_int_equal(look(NULL, "evt.arg.fd[0]", T44, &m),
			 FL_FIELD_ARG_UNEXPECTED);
	/* k8s.pod.label.app: the built-in form before the container plugin */
	assert_int_equal(look(NULL, "k8s.pod.label.app", P("0.40.0"), &m),
			 FL_FIELD_OK);
	assert_int_equal(m.form, FL_FORM_DOT);
	assert_int_equal(look(NULL, "k8s.pod.label.app", P("0.41.0"), &m),
			 FL_FIELD_ARG_UNEXPECTED);
	assert_non_null(m.field);
	/* static.* from falco.yaml static_fields */
	assert_int_equal(look("okta", "static.region", T44, &m), FL_FIELD_OK);
	assert_true(m.field->flags & FL_FF_CONFIG);
	assert_int_equal(look(NULL, "static.region", P("0.41.0"), &m),
			 FL_FIELD_NOT_YET);
}

static void test_sources(void **state)
{
	fl_field_match m;
	(void)state;
	assert_true(fl_source_known("syscall"));
	assert_true(fl_source_known("k8s_audit"));
	assert_true(fl_source_known("aws_cloudtrail"));
	assert_true(fl_source_known("okta"));
	assert_true(fl_source_known("github"));
	assert_true(fl_source_known("gcp_auditlog"));
	assert_false(fl_source_known("sycall"));
	assert_false(fl_source_known(NULL));
	assert_string_equal(fl_source_plugin(FL_SRC_AWS_CLOUDTRAIL), "cloudtrail");
	assert_int_equal(fl_version_cmp(fl_source_since(FL_SRC_OKTA), P("0.31.0")), 0);

	assert_int_equal(look("k8s_audit", "ka.verb", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("syscall", "ka.verb", T44, &m),
			 FL_FIELD_OTHER_SOURCE);
	assert_non_null(m.field);
	assert_int_equal(look("k8s_audit", "proc.name", T44, &m),
			 FL_FIELD_OTHER_SOURCE);
	assert_int_equal(look("k8s_audit", "ka.user.groups", T44, &m), FL_FIELD_OK);
	assert_true(m.field->flags & FL_FF_LIST);
	assert_int_equal(look("k8s_audit", "json.value[/user/name]", T44, &m),
			 FL_FIELD_OK);
	assert_string_equal(m.field->plugin, "json");
	assert_int_equal(look("syscall", "json.value[/a]", T44, &m),
			 FL_FIELD_OTHER_SOURCE);
	assert_int_equal(look("github", "github.repo", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("aws_cloudtrail", "ct.name", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("gcp_auditlog", "gcp.user", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("okta", "okta.app", T44, &m), FL_FIELD_OK);
	/* generic evt.* on every source, known or not */
	assert_int_equal(look("okta", "evt.num", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("my_plugin", "evt.source", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("my_plugin", "proc.name", T44, &m),
			 FL_FIELD_UNKNOWN_SOURCE);
	assert_int_equal(look("okta", "evt.type", T44, &m), FL_FIELD_OTHER_SOURCE);
	/* plugins configured separately: catalogued on syscall, marked */
	assert_int_equal(look("syscall", "k8smeta.pod.name", T44, &m), FL_FIELD_OK);
	assert_string_equal(m.field->plugin, "k8smeta");
	assert_int_equal(look("syscall", "container.id", T44, &m), FL_FIELD_OK);
	assert_int_equal(look("syscall", "anomaly.falco.duration_ns", T44, &m),
			 FL_FIELD_OK);
}

static void test_versions(void **state)
{
	fl_field_match m;
	(void)state;
	assert_int_equal(look(NULL, "container.label[x]", P("0.40.0"), &m),
			 FL_FIELD_NOT_YET);
	assert_non_null(m.field);
	assert_int_equal(look(NULL, "container.label[x]", P("0.41.0"), &m),
			 FL_FIELD_OK);
	assert_int_equal(look(NULL, "proc.aargs", P("0.40.0"), &m),
			 FL_FIELD_NOT_YET);
	assert_int_equal(look(NULL, "proc.is_exe_from_memfd", P("0.35.1"), &m),
			 FL_FIELD_NOT_YET);
	assert_int_equal(look(NULL, "proc.is_exe_from_memfd", P("0.36.0"), &m),
			 FL_FIELD_OK);
	assert_int_equal(look(NULL, "syslog.facility", P("0.40.0"), &m),
			 FL_FIELD_OK);
	assert_int_equal(look(NULL, "syslog.facility", P("0.41.0"), &m),
			 FL_FIELD_REMOVED);
	assert_int_equal(fl_version_cmp(m.field->removed, P("0.41.0")), 0);
	assert_int_equal(look(NULL, "mesos.task.label.app", P("0.41.3"), &m),
			 FL_FIELD_OK);
	assert_int_equal(look(NULL, "mesos.task.name", T44, &m),
			 FL_FIELD_REMOVED);
	assert_int_equal(look("k8s_audit", "jevt.time", P("0.31.1"), &m),
			 FL_FIELD_OK);
	assert_int_equal(look("k8s_audit", "jevt.time", P("0.32.0"), &m),
			 FL_FIELD_REMOVED);
	/* plugin fields are versioned by plugin release, not gated */
	assert_int_equal(look("k8s_audit", "ka.auth.openshift.decision",
			      P("0.32.0"), &m), FL_FIELD_OK);
	assert_string_equal(m.field->plugin_since, "k8saudit-0.10.0");
}

static void test_deprecated(void **state)
{
	const fl_field *f;
	(void)state;
	f = fl_field_get("evt.dir", 7);
	assert_non_null(f);
	assert_true(f->flags & FL_FF_DEPRECATED);
	assert_false(fl_field_warns_deprecated(f, P("0.41.3")));
	assert_true(fl_field_warns_deprecated(f, P("0.42.0")));
	f = fl_field_get("evt.latency.ns", 14);
	assert_false(fl_field_warns_deprecated(f, P("0.42.1")));
	assert_true(fl_field_warns_deprecated(f, P("0.43.0")));
	assert_true(fl_field_warns_deprecated(fl_field_get("evt.wait_latency", 16),
					      T44));
	/* deprecated but without a loader warning */
	f = fl_field_get("k8s.rc.name", 11);
	assert_true(f->flags & FL_FF_DEPRECATED);
	assert_false(fl_field_warns_deprecated(f, T44));
	assert_false(fl_field_warns_deprecated(fl_field_get("proc.name", 9), T44));
	assert_false(fl_field_warns_deprecated(NULL, T44));
}

static void test_suggest(void **state)
{
	const char *s;
	(void)state;
	s = fl_field_suggest("syscall", "proc.nme", 8, T44);
	assert_non_null(s);
	assert_string_equal(s, "proc.name");
	s = fl_field_suggest("syscall", "porc.name", 9, T44);
	assert_string_equal(s, "proc.name");
	s = fl_field_suggest("k8s_audit", "ka.verbb", 8, T44);
	assert_string_equal(s, "ka.verb");
	assert_null(fl_field_suggest("syscall", "zzzzzzzzzz", 10, T44));
	/* removed fields are not suggested for a release without them */
	s = fl_field_suggest("syscall", "syslog.facilit", 14, T44);
	assert_true(s == NULL || strcmp(s, "syslog.facility") != 0);
	assert_string_equal(fl_field_suggest("syscall", "syslog.facilit", 14,
					     P("0.40.0")), "syslog.facility");
	{
		/* hostile length: refused, not quadratic */
		char big[5000];
		memset(big, 'a', sizeof big);
		assert_null(fl_field_suggest("syscall", big, sizeof big, T44));
		assert_null(fl_evttype_suggest(big, sizeof big));
	}
}

static void test_operators(void **state)
{
	const fl_field *pid = fl_field_get("proc.pid", 8);
	const fl_field *name = fl_field_get("proc.name", 9);
	const fl_field *buf = fl_field_get("evt.buffer", 10);
	const fl_field *cip = fl_field_get("fd.cip", 6);
	const fl_field *groups = fl_field_get("ka.user.groups", 14);
	const fl_field *ok = fl_field_get("proc.is_exe_writable", 20);
	int op;
	(void)state;
	assert_int_equal(fl_op_lookup("contains", 8), FL_OP_CONTAINS);
	assert_int_equal(fl_op_lookup("=", 1), FL_OP_EQ);
	assert_int_equal(fl_op_lookup("==", 2), FL_OP_EQEQ);
	assert_int_equal(fl_op_lookup("like", 4), -1);
	for (op = 0; op < FL_NOPS; op++)
		assert_int_equal(fl_op_lookup(fl_op_text((fl_op)op),
					      strlen(fl_op_text((fl_op)op))), op);
	/* what the parser, the checker and the evaluator assume of the rows */
	for (op = 0; op < FL_NOPS; op++) {
		const fl_opinfo *o = &fl_op_table[op];
		assert_int_equal(o->len, strlen(o->text));
		/* the parser takes a modifier after exactly the STR operators */
		assert_int_equal(o->modifiable, o->syntax == FL_OPSYN_STR);
		/* only exists is unary, and the lexer reads it before the rest */
		assert_int_equal(o->syntax == FL_OPSYN_UNARY, op == FL_OP_EXISTS);
		/* a longer operator comes before the one it starts with */
		for (int later = op + 1; later < FL_NOPS; later++)
			assert_false(fl_op_table[later].len > o->len &&
				     !strncmp(fl_op_table[later].text, o->text, o->len));
	}
	assert_int_equal(fl_op_syntax(FL_OP_IN), FL_OPSYN_LIST);
	assert_int_equal(fl_op_syntax(FL_OP_LT), FL_OPSYN_NUM);
	assert_int_equal(fl_op_syntax((fl_op)FL_NOPS), FL_OPSYN_UNARY);
	/* case 165: 'contains' operator not supported for numeric filters */
	assert_false(fl_op_allowed(FL_OP_CONTAINS, pid));
	assert_string_equal(fl_tclass_name(fl_type_class(pid->type)), "numeric");
	assert_true(fl_op_allowed(FL_OP_LT, pid));
	assert_true(fl_op_allowed(FL_OP_IN, pid));
	assert_true(fl_op_allowed(FL_OP_CONTAINS, name));
	assert_true(fl_op_allowed(FL_OP_LT, name));
	assert_true(fl_op_allowed(FL_OP_PMATCH, name));
	assert_false(fl_op_allowed(FL_OP_BCONTAINS, name));
	assert_true(fl_op_allowed(FL_OP_BCONTAINS, buf));
	assert_true(fl_op_allowed(FL_OP_STARTSWITH, buf));
	assert_false(fl_op_allowed(FL_OP_GLOB, buf));
	assert_true(fl_op_allowed(FL_OP_EQ, cip));
	assert_false(fl_op_allowed(FL_OP_LT, cip));
	assert_false(fl_op_allowed(FL_OP_REGEX, cip));
	assert_true(fl_op_allowed(FL_OP_EQ, ok));
	assert_false(fl_op_allowed(FL_OP_GT, ok));
	/* list fields: in, intersects, exists */
	assert_true(fl_op_allowed(FL_OP_INTERSECTS, groups));
	assert_true(fl_op_allowed(FL_OP_IN, groups));
	assert_false(fl_op_allowed(FL_OP_EQ, groups));
	assert_false(fl_op_allowed(FL_OP_CONTAINS, groups));
	for (op = 0; op < FL_NOPS; op++) {
		assert_true(fl_op_allowed(FL_OP_EXISTS, pid));
		assert_true(fl_op_allowed_type(FL_OP_EXISTS, (fl_ftype)op % FL_NTYPES, 1));
	}
	assert_false(fl_op_allowed_type(FL_OP_IN, FL_T_INT64, 1));
	assert_false(fl_op_allowed_type(FL_OP_EQ, FL_T_SOCKTUPLE, 0));
	assert_false(fl_op_allowed(FL_OP_EQ, NULL));
	assert_false(fl_op_allowed_type(FL_OP_EQ, FL_T_UID, 0));
	{
		char msg[128];
		assert_int_equal(fl_op_type_error(FL_OP_CONTAINS, FL_T_INT64, 0,
						  msg, sizeof msg), -1);
		assert_string_equal(msg, "'contains' operator not supported "
					 "for numeric filters");
		fl_op_type_error(FL_OP_GT, FL_T_BOOL, 0, msg, sizeof msg);
		assert_string_equal(msg, "'>' operator not supported for "
					 "numeric filters");
		fl_op_type_error(FL_OP_GLOB, FL_T_IPNET, 0, msg, sizeof msg);
		assert_string_equal(msg, "'glob' operator not supported for "
					 "ip address and network filters");
		fl_op_type_error(FL_OP_EQ, FL_T_CHARBUF, 1, msg, sizeof msg);
		assert_string_equal(msg, "'=' operator not supported list filters");
		fl_op_type_error(FL_OP_EQEQ, FL_T_CHARBUF, 1, msg, sizeof msg);
		assert_string_equal(msg, "'=' operator not supported list filters");
		fl_op_type_error(FL_OP_IN, FL_T_INT64, 1, msg, sizeof msg);
		assert_string_equal(msg, "list filters are not supported for "
					 "type 'INT64'");
		fl_op_type_error(FL_OP_EQ, FL_T_SOCKTUPLE, 0, msg, sizeof msg);
		assert_string_equal(msg, "'=' operator not supported for type "
					 "'SOCKTUPLE'");
		assert_int_equal(fl_op_type_error(FL_OP_PMATCH, FL_T_FSPATH, 0,
						  msg, sizeof msg), 0);
		assert_string_equal(msg, "");
	}
	assert_int_equal(fl_version_cmp(fl_op_since(FL_OP_REGEX), P("0.39.0")), 0);
	assert_int_equal(fl_version_cmp(fl_op_since(FL_OP_IGLOB), P("0.38.0")), 0);
	/* modifiers */
	assert_int_equal(fl_modifier_lookup("anyof", 5), FL_MOD_ANYOF);
	assert_int_equal(fl_modifier_lookup("", 0), -1);  /* NONE is no spelling */
	assert_string_equal(fl_modifier_text(FL_MOD_NONE), "");
	for (int m = FL_MOD_NONE + 1; m < FL_NMODIFIERS; m++)
		assert_int_equal(fl_modifier_lookup(fl_modifier_text((fl_modifier)m),
						    strlen(fl_modifier_text((fl_modifier)m))), m);
	assert_true(fl_modifier_allowed(FL_OP_STARTSWITH, FL_T_CHARBUF, 0));
	assert_true(fl_modifier_allowed(FL_OP_EQ, FL_T_IPADDR, 0));
	assert_false(fl_modifier_allowed(FL_OP_CONTAINS, FL_T_IPADDR, 0));
	assert_false(fl_modifier_allowed(FL_OP_IN, FL_T_CHARBUF, 0));
	assert_false(fl_modifier_allowed(FL_OP_LT, FL_T_UINT64, 0));
	assert_int_equal(fl_version_cmp(fl_modifier_since(FL_MOD_ALLOF),
					P("0.44.0")), 0);
	/* transformers */
	assert_int_equal(fl_xform_lookup("tolower", 7), FL_XF_TOLOWER);
	assert_int_equal(fl_xform_lookup("lower", 5), -1);
	assert_true(fl_xform_accepts(FL_XF_TOLOWER, FL_T_CHARBUF, 0));
	assert_false(fl_xform_accepts(FL_XF_TOLOWER, FL_T_UINT64, 0));
	assert_true(fl_xform_accepts(FL_XF_B64, FL_T_BYTEBUF, 0));
	assert_true(fl_xform_accepts(FL_XF_LEN, FL_T_CHARBUF, 1));
	assert_false(fl_xform_accepts(FL_XF_TOLOWER, FL_T_CHARBUF, 1));
	assert_false(fl_xform_accepts(FL_XF_JOIN, FL_T_CHARBUF, 0));
	assert_int_equal(fl_xform_get(FL_XF_LEN)->result, FL_T_UINT64);
	assert_int_equal(fl_xform_get(FL_XF_CONCAT)->max_args, 0);
	assert_null(fl_xform_get(FL_NXFORMS));
}

static void test_evttypes(void **state)
{
	const fl_evttype *e;
	(void)state;
	assert_true(fl_evttype_index("open", 4) >= 0);
	assert_true(fl_evttype_index("execve", 6) >= 0);
	assert_true(fl_evttype_index("container", 9) >= 0);
	assert_true(fl_evttype_index("container_removed", 17) >= 0);
	assert_true(fl_evttype_index("acct", 4) >= 0);
	assert_int_equal(fl_evttype_index("nosuchevent", 11), -1);
	assert_int_equal(fl_evttype_index("syscall", 7), -1);
	assert_int_equal(fl_evttype_index("newselect", 9), -1);
	assert_int_equal(fl_evttype_index("", 0), -1);
	assert_int_equal(fl_evttype_index(NULL, 0), -1);
	assert_true(fl_evttype_index_at("close_range", 11, T44) >= 0);
	assert_int_equal(fl_evttype_index_at("close_range", 11, P("0.43.1")), -1);
	assert_true(fl_evttype_index_at("open", 4, P("0.19.0")) >= 0);
	assert_string_equal(fl_evttype_renamed("newselect", 9), "_newselect");
	assert_null(fl_evttype_renamed("open", 4));
	assert_string_equal(fl_evttype_suggest("opne", 4), "open");
	assert_string_equal(fl_evttype_suggest("execv", 5), "execve");
	assert_string_equal(fl_evttype_suggest("sysdigevent", 11), "scapevent");
	assert_null(fl_evttype_suggest("qqqqqqqqqq", 10));
	e = fl_evttype_at((size_t)fl_evttype_index("execve", 6));
	assert_true(e->kind & FL_EVT_EV);
	assert_true(e->ncodes >= 4);
	e = fl_evttype_at((size_t)fl_evttype_index("acct", 4));
	assert_true(e->kind & FL_EVT_GENERIC);
	assert_int_equal(e->ncodes, 0);
	e = fl_evttype_at((size_t)fl_evttype_index("container_removed", 17));
	assert_string_equal(e->plugin, "container");
	assert_null(fl_evttype_at(fl_evttype_count()));
	assert_null(fl_evttype_name(fl_evttype_count()));
}

static void test_evtsets(void **state)
{
	fl_evtset all, s, t;
	size_t nall, i, n;
	int open = fl_evttype_index("open", 4);
	int acct = fl_evttype_index("acct", 4);
	int ptrace = fl_evttype_index("ptrace", 6);
	int mlock2 = fl_evttype_index("mlock2", 6);
	(void)state;
	fl_evtset_fill(&all);
	nall = fl_evtset_ncodes(&all);
	assert_true(nall > FL_EVTTYPE_WARN_CODES);
	for (i = 0; i < fl_evttype_count(); i++)
		assert_true(fl_evtset_has(&all, i));

	/* evt.type = open */
	fl_evtset_clear(&s);
	assert_true(fl_evtset_empty(&s));
	assert_int_equal(fl_evtset_add_name(&s, "open", 4), 0);
	assert_int_equal(fl_evtset_ncodes(&s), 2);
	assert_true(fl_evtset_has(&s, (size_t)open));
	assert_false(fl_evtset_has(&s, (size_t)acct));
	assert_int_equal(fl_evtset_add_name(&s, "nosuchevent", 11), -1);

	/* evt.type != open: everything else */
	fl_evtset_complement(&s);
	assert_int_equal(fl_evtset_ncodes(&s), nall - 2);
	assert_false(fl_evtset_has(&s, (size_t)open));
	assert_true(fl_evtset_has(&s, (size_t)acct));

	/* syscalls without events share the generic pair */
	fl_evtset_clear(&s);
	fl_evtset_add_name(&s, "acct", 4);
	assert_true(fl_evtset_has(&s, (size_t)acct));
	assert_int_equal(fl_evtset_ncodes(&s), 2);
	if (mlock2 >= 0 && !(fl_evttype_at((size_t)mlock2)->kind & FL_EVT_EV))
		assert_true(fl_evtset_has(&s, (size_t)mlock2));
	fl_evtset_add_name(&s, "adjtimex", 8);
	assert_int_equal(fl_evtset_ncodes(&s), 2);
	/* so `evt.type != acct` drops every generic syscall */
	fl_evtset_complement(&s);
	assert_false(fl_evtset_has(&s, (size_t)acct));
	assert_true(fl_evtset_has(&s, (size_t)ptrace) ==
		    ((fl_evttype_at((size_t)ptrace)->kind & FL_EVT_EV) != 0));

	/* evt.type = open and evt.type = close: empty */
	fl_evtset_clear(&s);
	fl_evtset_add_name(&s, "open", 4);
	fl_evtset_clear(&t);
	fl_evtset_add_name(&t, "close", 5);
	fl_evtset_intersect(&s, &t);
	assert_true(fl_evtset_empty(&s));
	/* union, and complementing twice is the identity */
	fl_evtset_clear(&s);
	fl_evtset_add_name(&s, "open", 4);
	fl_evtset_union(&s, &t);
	n = fl_evtset_ncodes(&s);
	assert_true(n >= 4);
	t = s;
	fl_evtset_complement(&t);
	fl_evtset_complement(&t);
	assert_memory_equal(&t, &s, sizeof s);
	/* the full set's complement is empty */
	t = all;
	fl_evtset_complement(&t);
	assert_true(fl_evtset_empty(&t));
	assert_int_equal(fl_evtset_ncodes(&t), 0);
}

static void test_evtparams(void **state)
{
	fl_ftype t = FL_T_NONE;
	(void)state;
	assert_true(fl_evtparam_find("fd", 2, &t));
	assert_int_equal(t, FL_T_FD);
	assert_true(fl_evtparam_find("name", 4, NULL));
	assert_true(fl_evtparam_find("flags", 5, &t));
	assert_false(fl_evtparam_find("nosuch", 6, &t));
	assert_false(fl_evtparam_find(NULL, 0, &t));
	assert_true(fl_evtparam_of("open", 4, "flags", 5));
	assert_true(fl_evtparam_of("execve", 6, "filename", 8));
	assert_true(fl_evtparam_of("syscall", 7, "ID", 2));
	assert_false(fl_evtparam_of("open", 4, "filename", 8));
	assert_false(fl_evtparam_of("nosuch", 6, "fd", 2));
	assert_false(fl_evtparam_of(NULL, 0, "fd", 2));
}

/* ---- cross-checks against ../shared (skipped when absent) ------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		size_t r;
		if (n + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Every non-removed field of the upstream tables resolves for its
 * source at 0.44.1, with the same type name. */
static void test_shared_catalogue(void **state)
{
	static const char *const files[][2] = {
		{"syscall.tsv", "syscall"},     {"k8s_audit.tsv", "k8s_audit"},
		{"aws_cloudtrail.tsv", "aws_cloudtrail"}, {"okta.tsv", "okta"},
		{"github.tsv", "github"},       {"gcp_auditlog.tsv", "gcp_auditlog"},
		{"k8smeta.tsv", "syscall"},     {"json.tsv", "okta"},
	};
	size_t fi, checked = 0;
	(void)state;
	for (fi = 0; fi < sizeof files / sizeof files[0]; fi++) {
		char path[256], *data, *line, *save = NULL;
		snprintf(path, sizeof path, "%s/data/fields/%s", shared_dir(),
			 files[fi][0]);
		data = slurp(path, NULL);
		if (!data) {
			if (fi == 0) {
				print_message("skipped: %s not found\n", path);
				skip();  /* ../shared absent */
			}
			fail_msg("cannot read %s", path);
		}
		line = strtok_r(data, "\n", &save);  /* header */
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			char *col[6] = {0};
			char *p = line;
			int c;
			const fl_field *f;
			fl_field_match m;
			for (c = 0; c < 6 && p; c++) {
				col[c] = p;
				p = strchr(p, '\t');
				if (p)
					*p++ = 0;
			}
			f = fl_field_get(col[0], strlen(col[0]));
			if (!f)
				fail_msg("%s: '%s' missing", files[fi][0], col[0]);
			assert_string_equal(fl_type_name(f->type), col[1]);
			if (col[3] && strstr(col[3], "removed"))
				continue;
			fl_field_resolve(files[fi][1], col[0], strlen(col[0]),
					 NULL, 0, T44, &m);
			if (m.status != FL_FIELD_OK &&
			    m.status != FL_FIELD_ARG_MISSING)
				fail_msg("%s: '%s' on %s: %s", files[fi][0], col[0],
					 files[fi][1], fl_field_status_text(m.status));
			assert_int_equal(m.status == FL_FIELD_ARG_MISSING,
					 strncmp(col[2], "required", 8) == 0);
			checked++;
		}
		free(data);
	}
	print_message("checked %zu catalogue rows\n", checked);
	{
		char path[256], *data, *line, *save = NULL;
		size_t n = 0;
		snprintf(path, sizeof path, "%s/data/fields/evttypes.txt",
			 shared_dir());
		data = slurp(path, NULL);
		assert_non_null(data);
		for (line = strtok_r(data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (fl_evttype_index(line, strlen(line)) < 0)
				fail_msg("evt.type '%s' unknown", line);
			n++;
		}
		assert_int_equal(n, fl_evttype_count());
		free(data);
	}
	{
		/* every event parameter, and which events carry it: the
		 * binary searches only work if the tables stayed sorted */
		char path[256], *data, *line, *save = NULL;
		size_t n = 0;
		snprintf(path, sizeof path, "%s/data/fields/evtparams.tsv",
			 shared_dir());
		data = slurp(path, NULL);
		assert_non_null(data);
		line = strtok_r(data, "\n", &save);
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			char *col[6] = {0}, *p = line;
			int c;
			fl_ftype t;
			for (c = 0; c < 6 && p; c++) {
				col[c] = p;
				p = strchr(p, '\t');
				if (p)
					*p++ = 0;
			}
			if (!col[4] || !*col[4])
				continue;
			if (!fl_evtparam_find(col[4], strlen(col[4]), &t))
				fail_msg("parameter '%s' unknown", col[4]);
			if (!fl_evtparam_of(col[0], strlen(col[0]), col[4],
					    strlen(col[4])))
				fail_msg("'%s' has no '%s'", col[0], col[4]);
			n++;
		}
		assert_true(n > 1000);
		free(data);
	}
}

/* Reads the quoted strings of the JSON array starting at p ('['); calls
 * back with each; returns the position after ']'. */
static const char *json_strings(const char *p, const char *src,
				size_t *nbad, size_t *nok)
{
	for (p++; *p && *p != ']'; p++) {
		const char *e;
		fl_field_match m;
		if (*p != '"')
			continue;
		e = strchr(p + 1, '"');
		if (!e)
			break;
		/* output fields may carry a transformer: skip those */
		if (!memchr(p + 1, '(', (size_t)(e - p - 1))) {
			if (fl_field_lookup(src, p + 1, (size_t)(e - p - 1), T44,
					    &m) != FL_FIELD_OK) {
				print_message("  %.*s: %s\n", (int)(e - p - 1), p + 1,
					      fl_field_status_text(m.status));
				(*nbad)++;
			} else {
				(*nok)++;
			}
		}
		p = e;
	}
	return p;
}

/* Every field Falco 0.44.1 compiled from the upstream rule files resolves
 * at 0.44.1 (conditions and outputs). */
static void test_shared_compiled(void **state)
{
	static const char *const files[] = {
		"falco_rules-main.json", "falco-incubating_rules-main.json",
		"falco-sandbox_rules-main.json", "falco-deprecated_rules-main.json",
		"application_rules-main.json", "falco_rules-1.0.0.json",
	};
	size_t i, nbad = 0, nok = 0;
	(void)state;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[256], *data;
		const char *p;
		snprintf(path, sizeof path, "%s/oracle/compiled/%s", shared_dir(),
			 files[i]);
		data = slurp(path, NULL);
		if (!data) {
			if (i == 0) {
				print_message("skipped: %s not found\n", path);
				skip();
			}
			continue;
		}
		for (p = data; (p = strstr(p, "_fields\": [")) != NULL;) {
			p = strchr(p, '[');
			p = json_strings(p, "syscall", &nbad, &nok);
		}
		free(data);
	}
	print_message("compiled fields: %zu ok, %zu not\n", nok, nbad);
	assert_true(nok > 1000);
	assert_int_equal(nbad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_sorted),
		cmocka_unit_test(test_plain_fields),
		cmocka_unit_test(test_bracket_args),
		cmocka_unit_test(test_dot_args),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_deprecated),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_evttypes),
		cmocka_unit_test(test_evtsets),
		cmocka_unit_test(test_evtparams),
		cmocka_unit_test(test_shared_catalogue),
		cmocka_unit_test(test_shared_compiled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
