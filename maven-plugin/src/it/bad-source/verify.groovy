// Every error is a Maven error that starts with file:line:col, with the source line and a caret under it:
// once from adjoint:check, once from the build that generates.
def log = new File(basedir, 'build.log').getText('UTF-8')
def bad = new File(basedir, 'src/main/adjoint/demo/bad.adj').absolutePath

def expected = [
    "[ERROR] ${bad}:3:11: error: shape mismatch in '+': f32[B, 4] and f32[B, 3]\n  let a = x + y\n          ^~~~~",
    "[ERROR] ${bad}:4:14: error: unknown name 'zz'\n  return a + zz\n             ^~",
    "2 errors in 1 .adj file:",
]
expected.each { assert log.count(it.toString()) == 2 : "build.log does not have twice:\n${it}\n--- build.log:\n${log}" }
assert log.count('BUILD FAILURE') == 2
assert log.contains(':check (default-cli) on project bad-source: 2 errors in 1 .adj file:')
assert log.contains(':generate (default) on project bad-source: 2 errors in 1 .adj file:')
// The good model is generated all the same; the bad one leaves nothing behind.
def generated = new File(basedir, 'target/generated-sources/adjoint/demo').list() as List
assert generated == ['Good.java'] : "expected the class of good.adj alone, found ${generated}"
return true
