"""Declared fields: allowed ranges, their descriptions, and what HParams and Options classes are."""
import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pgkit
from pgkit.algorithms.ppo_clip import PPOClipHParams, PPOClipOptions
from pgkit.settings import HParams, Options, Range, field
from pgkit.settings.fields import field_error, names


class Demo(Options):
  count: int = field(4, "an int", ge=1)
  rate: float = field(0.1, "a bounded float", gt=0.0, le=1.0)
  clip: float = field(math.inf, "a float that may be inf", gt=0.0, inf=True)
  mode: str = field("a", "a choice", choices=("a", "b"))
  sizes: tuple = field((64, 64), "a tuple of ints", ge=1)
  flag: bool = field(True, "a bool")
  path: str | None = field(None, "an optional string")


class Rates(HParams):
  rate: float = field(0.1, "a positive float", gt=0.0)
  clip: float = field(math.inf, "a positive float that may be inf", gt=0.0, inf=True)


FIELDS = {f.name: f for f in dataclasses.fields(Demo)}
RATE = "a finite number > 0 and <= 1"
CLIP = "a number > 0 (inf allowed)"


@pytest.mark.parametrize("rng, kind, text", [
    (Range(ge=1), int, "an integer >= 1"),
    (Range(), int, "an integer"),
    (Range(gt=0.0), float, "a finite number > 0"),
    (Range(ge=0.0, le=1.0), float, "a finite number >= 0 and <= 1"),
    (Range(gt=0.0, lt=1.0), float, "a finite number > 0 and < 1"),
    (Range(gt=0.0, inf=True), float, CLIP),
    (Range(), float, "a finite number"),
    (Range(choices=("constant", "linear")), str, "one of constant, linear"),
    (Range(ge=1), tuple, "integers, each >= 1"),
    (Range(), bool, "true or false"),
    (Range(), str, "a string"),
    (Range(ge=2), None, ">= 2"),
    (Range(), None, "any value"),
])
def test_describe(rng, kind, text):
  assert rng.describe(kind) == text


@pytest.mark.parametrize("name, value, problem", [
    ("count", 4, None),
    ("count", np.int64(2), None),
    ("count", 0, "an integer >= 1"),
    ("count", 2.0, "an integer >= 1"),
    ("count", True, "an integer >= 1"),
    ("rate", 1.0, None),
    ("rate", 1, None),
    ("rate", 0.0, RATE),
    ("rate", 1.5, RATE),
    ("rate", math.nan, RATE),
    ("rate", math.inf, RATE),
    ("rate", "fast", RATE),
    ("rate", np.array([0.1, 0.5, 1.0]), None),
    ("rate", jnp.array([0.1, 0.0, 0.5]), RATE),  # one bad element
    ("rate", jnp.array([[0.1, 0.2], [0.3, math.nan]]), RATE),
    ("clip", math.inf, None),
    ("clip", 0.5, None),
    ("clip", jnp.array([1.0, math.inf]), None),
    ("clip", -math.inf, CLIP),
    ("clip", math.nan, CLIP),
    ("clip", 0.0, CLIP),
    ("mode", "b", None),
    ("mode", "c", "one of a, b"),
    ("mode", None, "one of a, b"),
    ("sizes", (8,), None),
    ("sizes", (), None),
    ("sizes", (8, 0), "integers, each >= 1"),
    ("sizes", (8, True), "integers, each >= 1"),
    ("sizes", (8.0,), "integers, each >= 1"),
    ("sizes", [8, 8], "integers, each >= 1"),
    ("flag", False, None),
    ("flag", np.bool_(True), None),
    ("flag", 1, "true or false"),
    ("flag", "False", "true or false"),
    ("path", None, None),
    ("path", "/tmp/run", None),
    ("path", 3, "a string"),
])
def test_field_error(name, value, problem):
  assert field_error(FIELDS[name], value) == problem


def test_validate_names_owner_field_value_and_range():
  with pytest.raises(ValueError) as e:
    Demo(rate=jnp.array([0.1, -1.0, 0.5])).validate("demo")
  assert str(e.value) == f"demo: rate must be {RATE}, got [ 0.1, -1. ,  0.5]"
  with pytest.raises(ValueError, match=r"^demo: path must be a string, got 3$"):
    Demo(path=3).validate("demo")
  Demo(rate=np.array([0.5, 1.0]), path="x").validate("demo")  # no error


def test_concrete_hparams_are_checked_and_traced_ones_skipped():
  with pytest.raises(ValueError, match="rate must be a finite number > 0"):
    Rates(rate=-1.0).validate("rates")

  def doubled(rate):
    hp = Rates(rate=rate)
    assert field_error(FIELDS["rate"], rate) is None  # a tracer: checked before it was traced
    hp.validate("rates")  # must not raise on a tracer, whatever its value
    return hp.rate * 2

  assert float(jax.jit(doubled)(-1.0)) == -2.0
  np.testing.assert_allclose(jax.vmap(doubled)(jnp.array([0.5, -1.0, math.nan])),
                             [1.0, -2.0, math.nan])


# ---- Declared classes ---------------------------------------------------------------------

def test_declared_classes_are_frozen_dataclasses():
  hp, options = PPOClipHParams(), PPOClipOptions()
  assert dataclasses.is_dataclass(hp) and dataclasses.is_dataclass(options)
  with pytest.raises(dataclasses.FrozenInstanceError):
    hp.learning_rate = 1.0
  with pytest.raises(dataclasses.FrozenInstanceError):
    options.epochs = 2
  # Options are hashable: a jitted trainer closes over them and is cached by them.
  assert hash(PPOClipOptions(epochs=2)) == hash(options.replace(epochs=2))
  assert PPOClipOptions(epochs=2) != options


def test_hparams_are_pytrees_in_field_order():
  hp = PPOClipHParams(learning_rate=0.01, clip_epsilon=0.3)
  assert jax.tree.leaves(hp) == [getattr(hp, n) for n in names(hp)]
  assert jax.tree.leaves(hp)[names(hp).index("clip_epsilon")] == 0.3
  empty = jax.tree.map(lambda _: None, hp)
  assert type(empty) is PPOClipHParams
  assert all(getattr(empty, n) is None for n in names(hp))
  assert jax.tree.map(lambda x: x * 2, hp).learning_rate == 0.02


def test_vmap_over_one_hyperparameter():
  hp = PPOClipHParams(discount=0.5).replace(learning_rate=jnp.array([1.0, 2.0, 3.0]))
  axes = jax.tree.map(lambda _: None, hp).replace(learning_rate=0)
  np.testing.assert_allclose(jax.vmap(lambda h: h.learning_rate * 2, in_axes=(axes,))(hp),
                             [2.0, 4.0, 6.0])
  np.testing.assert_allclose(
      jax.vmap(lambda h: h.learning_rate * h.discount, in_axes=(axes,))(hp), [0.5, 1.0, 1.5])


def test_replace_rejects_unknown_names():
  hp = PPOClipHParams()
  with pytest.raises(ValueError, match=r"PPOClipHParams has no field \['clip_eps', 'lr'\]"):
    hp.replace(lr=1.0, clip_eps=0.1, learning_rate=0.5)
  with pytest.raises(ValueError, match=r"PPOClipOptions has no field \['epoch'\]"):
    PPOClipOptions().replace(epoch=2)
  assert hp.replace(learning_rate=0.5).learning_rate == 0.5
  assert hp.learning_rate == PPOClipHParams().learning_rate


def test_user_subclass_inherits_fields():
  class MyHP(pgkit.algorithms.GAEHParams):
    my_coef: float = field(0.5, "doc", gt=0)

  assert names(MyHP) == names(pgkit.algorithms.GAEHParams) + ("my_coef",)
  assert "gae_lambda" in names(MyHP) and "discount" in names(MyHP)
  hp = MyHP(my_coef=0.25)
  assert (hp.my_coef, hp.gae_lambda, hp.discount) == (0.25, 0.95, 0.99)
  assert len(jax.tree.leaves(hp)) == len(names(MyHP))
  with pytest.raises(ValueError, match=r"^mine: my_coef must be a finite number > 0, got 0$"):
    MyHP(my_coef=0).validate("mine")
