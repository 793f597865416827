/**
 * The Adjoint Maven plugin: {@code .adj} models compiled at build time, the way antlr4-maven-plugin
 * compiles grammars. {@link dev.adjoint.maven.GenerateMojo generate} and
 * {@link dev.adjoint.maven.GenerateTestMojo generate-test} write Java sources (and CUDA C, as resources)
 * and register them with the build; {@link dev.adjoint.maven.CheckMojo check} only type-checks. The
 * work is done by {@link dev.adjoint.maven.Generation}, which knows nothing of Maven beyond its log.
 */
package dev.adjoint.maven;
