def pytest_addoption(parser):
    parser.addoption("--native-tool", action="store", default=None,
                     help="path of the native_tool binary (else env CHC_NATIVE_TOOL)")
