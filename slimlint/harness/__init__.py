"""The execution harness behind `slimlint verify`.

It runs fixture programs on real TensorFlow and checks behavioural claims about each fix.
Nothing here imports TensorFlow at module level: only the subprocess entry point
(`slimlint.harness.child`) does, so `import slimlint` keeps working without TensorFlow.
"""
