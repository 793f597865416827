// Run 1 compiles the model; run 2 finds it up to date, writes nothing, and javac sees no changed source.
def log = new File(basedir, 'build.log').getText('UTF-8')
def first = 'Adjoint: compiled 1 of 1 .adj file in src/main/adjoint (0 up to date)'
def second = 'Adjoint: 1 .adj file in src/main/adjoint, all up to date; nothing generated'
assert log.count(first) == 1 : "the first build did not compile the model once:\n${log}"
assert log.count(second) == 1 : "the second build did not find the model up to date:\n${log}"
assert log.indexOf(first) < log.indexOf(second)
def afterSecond = log.substring(log.indexOf(second))
assert afterSecond.contains('Nothing to compile - all classes are up to date') : "javac ran again:\n${afterSecond}"
assert new File(basedir, 'target/adjoint-state').list().length == 1
return true
