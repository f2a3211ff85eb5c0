"""The project-wide table of config numbers (slimlint/model/config_values.py), scanned from source text."""

from slimlint.model.config_values import scan


def test_a_python2_config_class_is_read_through_the_python3_view():
    text = "class Config(object):\n    keep_prob = 0.6\n\nprint 'loaded'\n"
    assert scan({"cfg": text}, {"keep_prob"}).object_value("keep_prob") == 0.6


def test_older_python3_using_async_as_a_name_is_read():
    text = "keep_prob = 0.8\nasync = 3\n"
    assert scan({"settings": text}, {"keep_prob"}).module_value("keep_prob", "settings") == 0.8


def test_a_second_value_or_a_computed_one_makes_the_value_unknown():
    base = "class Config(object):\n    dropout = 0.5\n"
    assert scan({"a": base, "b": "def test(c):\n    c.dropout = 1.0\n"}, {"dropout"}).object_value("dropout") is None
    assert scan({"a": base, "b": "def test(c, k):\n    c.dropout = k\n"}, {"dropout"}).object_value("dropout") is None
    assert scan({"a": base, "b": "def test(c):\n    c['dropout'] = 1.0\n"}, {"dropout"}).object_value("dropout") is None
    assert scan({"a": base, "b": "p.add_argument('--dropout', type=float)\n"}, {"dropout"}).object_value("dropout") is None


def test_attributes_set_by_computed_names_make_objects_unknown_but_not_an_attribute_dicts_own_setattr():
    base = "class Config(object):\n    dropout = 0.5\n"
    loader = "def load(c, d):\n    for k, v in d.items():\n        setattr(c, k, v)\n"
    assert scan({"a": base, "b": loader}, {"dropout"}).object_value("dropout") is None
    attr_dict = ("class Dict(dict):\n    def __setattr__(self, k, v):\n        self.__setitem__(k, v)\n"
                 "    def __setitem__(self, k, v):\n        self.__dict__.update({k: v})\n")
    assert scan({"a": base, "b": attr_dict}, {"dropout"}).object_value("dropout") == 0.5


def test_a_module_constant_ignores_an_objects_own_attribute_of_that_name():
    settings = "keep_prob_fully = 0.8\n"
    model = "class Graph:\n    def __init__(self):\n        self.keep_prob_fully = make_placeholder()\n"
    table = scan({"pkg.settings": settings, "pkg.graph": model}, {"keep_prob_fully"})
    assert table.module_value("keep_prob_fully", "pkg.settings") == 0.8
    assert table.object_value("keep_prob_fully") is None
