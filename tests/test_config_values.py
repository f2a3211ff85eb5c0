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


def test_a_module_constant_rebound_at_run_time_is_unknown():
    rebound = "keep_prob = 0.5\n\ndef eval_mode():\n    global keep_prob\n    keep_prob = 1.0\n"
    assert scan({"settings": rebound}, {"keep_prob"}).module_value("keep_prob", "settings") is None
    star = "keep_prob = 0.5\ntry:\n    from settings_local import *\nexcept ImportError:\n    pass\n"
    assert scan({"settings": star}, {"keep_prob"}).module_value("keep_prob", "settings") is None


def test_configs_filled_from_files_or_keywords_are_unknown():
    base = "class Config(object):\n    keep_prob = 0.5\n"
    yaml_merge = "import yaml\n\ndef load(cfg, path):\n    cfg.update(yaml.safe_load(open(path)))\n"
    assert scan({"a": base, "b": yaml_merge}, {"keep_prob"}).object_value("keep_prob") is None
    keyword = "def evaluate():\n    return HParams(keep_prob=1.0)\n"
    assert scan({"a": base, "b": keyword}, {"keep_prob"}).object_value("keep_prob") is None
    literal = "EVAL = EasyDict({'keep_prob': 1.0})\n"
    assert scan({"a": base, "b": literal}, {"keep_prob"}).object_value("keep_prob") is None
    prop = "class Pipe(object):\n    @property\n    def keep_prob(self):\n        return self._kp\n"
    assert scan({"a": base, "b": prop}, {"keep_prob"}).object_value("keep_prob") is None
    placeholder = "def inputs():\n    return Inputs(keep_prob=tf.placeholder(tf.float32, ()))\n"
    assert scan({"a": base, "b": placeholder}, {"keep_prob"}).object_value("keep_prob") is None


def test_a_value_handed_on_under_its_own_name_is_no_new_write():
    base = "class Config(object):\n    keep_prob = 0.5\n"
    model = "def net(x, cfg):\n    return tf.nn.dropout(x, keep_prob=cfg.keep_prob)\n"
    assert scan({"a": base, "b": model}, {"keep_prob"}).object_value("keep_prob") == 0.5


def test_a_file_too_deep_for_the_parser_does_not_stop_the_scan():
    deep = "x = " + " + ".join(["a"] * 3000) + "\nfor k, v in d.items():\n    setattr(c, k, v)\nkeep_prob = 1\n"
    table = scan({"gen": deep, "cfg": "class C:\n    keep_prob = 0.5\n"}, {"keep_prob"})
    assert table.object_value("keep_prob") is None


def test_hparams_overridden_at_run_time_make_objects_unknown():
    base = "hparams = HParams(keep_prob=0.7)\n"
    assert scan({"a": base}, {"keep_prob"}).object_value("keep_prob") == 0.7
    assert scan({"a": base + "hparams.parse(FLAGS.hparams)\n"}, {"keep_prob"}).object_value("keep_prob") is None
    assert scan({"a": base + "hparams.override_from_dict(d)\n"}, {"keep_prob"}).object_value("keep_prob") is None
    assert scan({"a": base + "tree = ET.parse(path)\n"}, {"keep_prob"}).object_value("keep_prob") == 0.7


def test_a_dict_entry_read_by_subscript_is_resolved_as_an_object_value():
    import libcst as cst

    from slimlint.model.config_values import _config_attribute

    read = cst.parse_expression("self.options['image_dropout']")
    assert _config_attribute(read) == "image_dropout"
    assert _config_attribute(cst.parse_expression("cfg[key]")) is None
    assert _config_attribute(cst.parse_expression("cfg['a', 'b']")) is None
    table = scan({"settings": "OPTIONS = {'image_dropout': 0.5}\n"}, {"image_dropout"})
    assert table.object_value("image_dropout") == 0.5
    rewritten = "cfg = dict(OPTIONS)\ncfg['image_dropout'] = 1.0\n"
    assert scan({"settings": "OPTIONS = {'image_dropout': 0.5}\n", "ev": rewritten},
                {"image_dropout"}).object_value("image_dropout") is None


def test_a_config_value_copied_under_its_own_name_is_no_new_write():
    base = "class Config(object):\n    keep_prob = 0.8\n"
    copy = "class Model(object):\n    def __init__(self, config):\n        self.keep_prob = config.keep_prob\n"
    assert scan({"a": base, "b": copy}, {"keep_prob"}).object_value("keep_prob") == 0.8
    renamed = "class Model(object):\n    def __init__(self, config):\n        self.keep_prob = config.dropout_keep\n"
    assert scan({"a": base, "b": renamed}, {"keep_prob"}).object_value("keep_prob") is None
