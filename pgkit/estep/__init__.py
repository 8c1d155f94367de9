"""Nonparametric E-step reweighters that own their temperature dual."""
from pgkit.estep.base import Reweighter, TemperatureState, inverse_temperature, none, temperature
from pgkit.estep.categorical import ActionValues, categorical_mpo
from pgkit.estep.mpo import mpo, vmpo
