/**
 * The {@code adjoint-maven-plugin}: generates model classes from {@code .adj} files at build time.
 *
 * <p>Empty until the Java backend exists; the Maven plugin issue fills it.
 */
package dev.adjoint.maven;
