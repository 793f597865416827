// The model's class went to the main sources, the test-only one to the test sources, and the tests ran.
def gen = new File(basedir, 'target/generated-sources/adjoint/demo/Affine.java')
def genTest = new File(basedir, 'target/generated-test-sources/adjoint/checks/Squares.java')
assert gen.isFile() : "missing ${gen}"
assert genTest.isFile() : "missing ${genTest}"
assert new File(basedir, 'target/classes/demo/Affine.class').isFile()
assert !new File(basedir, 'target/classes/checks').exists() : 'a test-only model was compiled with the main classes'
def report = new File(basedir, 'target/surefire-reports/TEST-demo.AffineTest.xml').getText('UTF-8')
assert report.contains('tests="5"') && report.contains('failures="0"') && report.contains('errors="0"')
return true
