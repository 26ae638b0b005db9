// The unit-test binary's entry point (doctest); the tests live in *_test.cpp files beside their code.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
