/* test_version.c — Falco version parsing, release → engine mapping and
 * feature gates (lib/version.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "falcolint.h"
#include "version.h"

static fl_version P(const char *s)
{
	fl_version v = {0, 0, 0};
	assert_int_equal(fl_version_parse(s, strlen(s), &v), 0);
	return v;
}

static void test_parse_strict(void **state)
{
	fl_version v;
	(void)state;
	v = P("0.44.1");
	assert_int_equal(v.major, 0);
	assert_int_equal(v.minor, 44);
	assert_int_equal(v.patch, 1);
	v = P("10.0.300");
	assert_int_equal(v.major, 10);
	assert_int_equal(v.patch, 300);
	assert_int_equal(fl_version_parse("0.44", 4, &v), FL_EUSAGE);
	assert_int_equal(fl_version_parse("0.44.1-rc1", 10, &v), FL_EUSAGE);
	assert_int_equal(fl_version_parse("v0.44.1", 7, &v), FL_EUSAGE);
	assert_int_equal(fl_version_parse("0..1", 4, &v), FL_EUSAGE);
	assert_int_equal(fl_version_parse("", 0, &v), FL_EUSAGE);
	assert_int_equal(fl_version_parse("99999999999.0.0", 15, &v), FL_EUSAGE);
	/* the length bounds the text: a longer buffer is not read past len */
	v = (fl_version){0, 0, 0};
	assert_int_equal(fl_version_parse("0.1.2xyz", 5, &v), 0);
	assert_int_equal(v.patch, 2);
}

static void test_parse_engine(void **state)
{
	fl_version v;
	(void)state;
	assert_int_equal(fl_engine_version_parse("26", 2, &v), 0);
	assert_int_equal(fl_version_cmp(v, FL_VERSION_MAKE(0, 26, 0)), 0);
	assert_int_equal(fl_engine_version_parse("0x10", 4, &v), 0);
	assert_int_equal(v.minor, 16);
	assert_int_equal(fl_engine_version_parse("010", 3, &v), 0);
	assert_int_equal(v.minor, 8);
	assert_int_equal(fl_engine_version_parse("0.40.0-rc1", 10, &v), 0);
	assert_int_equal(fl_version_cmp(v, FL_VERSION_MAKE(0, 40, 0)), 0);
	assert_int_equal(fl_engine_version_parse("0.40", 4, &v), FL_EUSAGE);
	assert_int_equal(fl_engine_version_parse("seven", 5, &v), FL_EUSAGE);
	assert_int_equal(fl_engine_version_parse("09", 2, &v), FL_EUSAGE);
}

static void test_compare_and_format(void **state)
{
	char buf[32];
	(void)state;
	assert_true(fl_version_cmp(P("0.9.0"), P("0.10.0")) < 0);
	assert_true(fl_version_cmp(P("1.0.0"), P("0.99.99")) > 0);
	assert_true(fl_version_cmp(P("0.44.1"), P("0.44.0")) > 0);
	assert_true(fl_version_cmp(FL_VERSION_UNRELEASED, P("99.0.0")) > 0);
	assert_string_equal(fl_version_str(P("0.62.0"), buf, sizeof buf), "0.62.0");
	assert_string_equal(fl_version_str(FL_VERSION_UNRELEASED, buf, sizeof buf),
			    "unreleased");
	assert_true(fl_engine_compatible(P("0.62.0"), P("0.26.0")));
	assert_false(fl_engine_compatible(P("0.62.0"), P("0.63.0")));
	assert_false(fl_engine_compatible(P("0.62.0"), P("1.0.0")));
}

static void test_releases(void **state)
{
	size_t i;
	int exact = -1;
	const fl_release *r;
	(void)state;
	assert_true(fl_release_count() >= 50);
	for (i = 1; i < fl_release_count(); i++) {
		/* sorted: the lookup is a binary search */
		assert_true(fl_version_cmp(fl_release_at(i - 1)->falco,
					   fl_release_at(i)->falco) < 0);
		/* an engine never goes backwards */
		assert_true(fl_version_cmp(fl_release_at(i - 1)->engine,
					   fl_release_at(i)->engine) <= 0);
	}
	assert_null(fl_release_at(fl_release_count()));
	r = fl_release_find(P("0.36.2"));
	assert_non_null(r);
	assert_int_equal(fl_version_cmp(r->engine, P("0.26.0")), 0);
	assert_null(fl_release_find(P("0.44.2")));
	r = fl_release_for(P("0.44.2"), &exact);
	assert_non_null(r);
	assert_int_equal(exact, 0);
	assert_int_equal(fl_version_cmp(r->falco, P("0.44.1")), 0);
	assert_null(fl_release_for(P("0.45.0"), NULL));
	assert_null(fl_release_for(P("0.18.0"), NULL));

	r = fl_release_for_engine(P("0.50.0"));
	assert_non_null(r);
	assert_int_equal(fl_version_cmp(r->falco, P("0.41.0")), 0);
	r = fl_release_for_engine(P("0.17.0"));  /* integer 17 */
	assert_int_equal(fl_version_cmp(r->falco, P("0.35.0")), 0);
	assert_null(fl_release_for_engine(P("0.63.0")));  /* master only */
	assert_null(fl_release_for_engine(P("1.0.0")));
}

static void test_public_api(void **state)
{
	(void)state;
	assert_string_equal(fl_engine_version_of("0.44.1"), "0.62.0");
	assert_string_equal(fl_engine_version_of("0.37.0"), "0.31.0");
	assert_string_equal(fl_engine_version_of("0.36.1"), "0.26.0");
	assert_string_equal(fl_engine_version_of("0.32.1"), "0.13.0");
	assert_string_equal(fl_engine_version_of("0.31.1"), "0.11.0");
	assert_string_equal(fl_engine_version_of("0.19.0"), "0.5.0");
	assert_string_equal(fl_engine_version_of("0.41.9"), "0.50.0");
	assert_null(fl_engine_version_of("0.45.0"));
	assert_null(fl_engine_version_of("latest"));
	assert_null(fl_engine_version_of(NULL));
	assert_string_equal(fl_newest_falco(), "0.44.1");
}

static void test_features(void **state)
{
	char buf[32];
	int i;
	(void)state;
	assert_string_equal(fl_version_str(fl_feature_min_falco(FL_FEAT_OVERRIDE),
					   buf, sizeof buf), "0.37.0");
	assert_string_equal(fl_version_str(fl_feature_min_falco(FL_FEAT_EXCEPTIONS),
					   buf, sizeof buf), "0.28.0");
	assert_string_equal(fl_version_str(fl_feature_min_falco(FL_FEAT_CAPTURE),
					   buf, sizeof buf), "0.42.0");
	assert_string_equal(fl_version_str(fl_feature_min_falco(FL_FEAT_REGEX),
					   buf, sizeof buf), "0.39.0");
	assert_string_equal(fl_version_str(fl_feature_min_falco(FL_FEAT_MODIFIERS),
					   buf, sizeof buf), "0.44.0");
	assert_true(fl_feature_supported(FL_FEAT_OVERRIDE, P("0.37.0")));
	assert_false(fl_feature_supported(FL_FEAT_OVERRIDE, P("0.36.2")));
	assert_false(fl_feature_supported(FL_FEAT_HEX_ESCAPE, P("0.44.1")));
	assert_int_equal(fl_feature_lookup("override"), FL_FEAT_OVERRIDE);
	assert_int_equal(fl_feature_lookup("nope"), -1);
	assert_null(fl_feature_name(FL_NFEATURES));
	for (i = 0; i < FL_NFEATURES; i++) {
		const char *n = fl_feature_name((fl_feature)i);
		assert_non_null(n);
		assert_int_equal(fl_feature_lookup(n), i);  /* names unique */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_parse_engine),
		cmocka_unit_test(test_compare_and_format),
		cmocka_unit_test(test_releases),
		cmocka_unit_test(test_public_api),
		cmocka_unit_test(test_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
