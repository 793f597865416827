// The model that imports lib/layers.adj is generated into the package of its folder; the excluded
// library is not generated on its own, and the state remembers that the model read it.
def out = new File(basedir, 'target/generated-sources/adjoint')
assert new File(out, 'models').list().any { it.startsWith('Net') } : "no class for Net in ${out}/models"
assert !new File(out, 'lib').exists()
assert new File(basedir, 'target/classes/models').list().any { it.startsWith('Net') && it.endsWith('.class') }
def classes = new File(basedir, 'target/classes/models').list() as List
assert classes.containsAll(['NetForward.cu', 'GradNetForward.cu']) : "no CUDA resources in target/classes: ${classes}"
assert new File(basedir, 'target/generated-resources/adjoint/models/NetForward.cu').getText('UTF-8').contains('__global__')
def state = new File(basedir, 'target/adjoint-state').listFiles()[0].getText('UTF-8')
assert state.contains(new File(basedir, 'src/main/adjoint/lib/layers.adj').absolutePath)
def report = new File(basedir, 'target/surefire-reports/TEST-models.NetTest.xml').getText('UTF-8')
assert report.contains('tests="1"') && report.contains('failures="0"') && report.contains('errors="0"')
return true
