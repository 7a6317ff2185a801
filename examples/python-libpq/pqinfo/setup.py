from setuptools import Extension, setup

setup(
    name="pqinfo",
    version="1.0",
    ext_modules=[Extension("pqinfo", ["pqinfo.c"], include_dirs=["/usr/include/postgresql"], libraries=["pq"])],
)
