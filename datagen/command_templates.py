"""Utterance templates per intent, in two disjoint pools: train and eval.

A template is ``text`` or ``(text, fixed_slots)``. Placeholders draw from command_lexicon
(``{zone}``, ``{seat}``, ``{fseat}`` front seat, ``{window}``, ``{temp}``, ``{level}`` seat
level 1-3, ``{fan}``, ``{percent}``, ``{contact}``, ``{station}``, ``{address}``, and for
refusals ``{badtemp}``, ``{badpercent}``, ``{badfan}``, ``{system}``). Fixed slots give the
values a template implies ("I'm freezing" -> direction warmer, zone of the speaker).

Groups whose name starts with ``refuse.`` build refusals: ``fixed`` holds the requested intent.
The eval pool never repeats a train template (a test checks the texts are disjoint), so the
evaluation measures phrasings the adapter has not seen.
"""
from __future__ import annotations

from datagen.command_lexicon import SPEAKER

ME = {"zone": SPEAKER}
SEAT_ME = {"seat": SPEAKER}

TEMPLATES: dict[str, dict[str, list]] = {
    "climate.set_temperature": {
        "train": [("set temperature to {temp} degrees", ME), "set the temperature {zone} to {temp} degrees",
                  ("make it {temp} degrees in here", ME), "change the temperature {zone} to {temp}",
                  ("I want {temp} degrees", ME), "{temp} degrees {zone}", ("climate to {temp}", ME)],
        "eval": [("could you put the cabin at {temp} degrees", ME), "I'd like {temp} degrees {zone}",
                 "warm or cool it {zone} to exactly {temp} degrees"],
    },
    "climate.adjust_temperature": {
        "train": [("it's cold in here", {**ME, "direction": "warmer"}), ("I'm freezing", {**ME, "direction": "warmer"}),
                  ("it's too hot", {**ME, "direction": "cooler"}), ("I'm sweating", {**ME, "direction": "cooler"}),
                  ("make it warmer {zone}", {"direction": "warmer"}), ("cool it down {zone}", {"direction": "cooler"}),
                  ("turn up the heat", {**ME, "direction": "warmer"}), ("a bit cooler please", {**ME, "direction": "cooler"})],
        "eval": [("brr, my hands are like ice", {**ME, "direction": "warmer"}),
                 ("it's stuffy and boiling {zone}", {"direction": "cooler"}),
                 ("can we have some more warmth {zone}", {"direction": "warmer"}),
                 ("it's like an oven in this car", {**ME, "direction": "cooler"})],
    },
    "climate.set_fan": {
        "train": ["set the fan to {fan}", "fan speed {fan}", "put the blower on level {fan}",
                  "change the fan to speed {fan}", "fan on {fan}"],
        "eval": ["I want the ventilation running at {fan}", "blower at setting {fan}, thanks"],
    },
    "climate.set_feature": {
        "train": [("turn on the air conditioning", {"feature": "ac", "state": "on"}),
                  ("switch the AC off", {"feature": "ac", "state": "off"}),
                  ("turn on recirculation", {"feature": "recirculation", "state": "on"}),
                  ("stop recirculating the air", {"feature": "recirculation", "state": "off"}),
                  ("put the climate in auto", {"feature": "auto", "state": "on"}),
                  ("sync the temperatures", {"feature": "sync", "state": "on"}),
                  ("turn off sync", {"feature": "sync", "state": "off"})],
        "eval": [("there's a smelly truck ahead, close the outside air",
                  {"feature": "recirculation", "state": "on"}),
                 ("I don't need the aircon any more", {"feature": "ac", "state": "off"}),
                 ("let the climate system manage itself", {"feature": "auto", "state": "on"}),
                 ("give every zone the same temperature as the driver", {"feature": "sync", "state": "on"})],
    },
    "climate.defrost": {
        "train": [("defrost the windscreen", {"target": "windscreen", "state": "on"}),
                  ("the windscreen is fogged up", {"target": "windscreen", "state": "on"}),
                  ("turn on the rear window heating", {"target": "rear_window", "state": "on"}),
                  ("switch off max defrost", {"target": "windscreen", "state": "off"}),
                  ("rear defrost off", {"target": "rear_window", "state": "off"})],
        "eval": [("I can't see through the front glass, it's all misted", {"target": "windscreen", "state": "on"}),
                 ("clear the back window", {"target": "rear_window", "state": "on"}),
                 ("that's enough demisting up front", {"target": "windscreen", "state": "off"})],
    },
    "seat.set_heating": {
        "train": ["seat heater level {level} for {seat}", "turn on the seat heating in {seat} to {level}",
                  "heat {seat} on level {level}", ("seat heating level {level} for me", SEAT_ME),
                  ("turn off the seat heating in {seat}", {"level": 0}), ("warm up my seat to {level}", SEAT_ME),
                  ("switch off my heated seat", {**SEAT_ME, "level": 0})],
        "eval": [("my backside is cold, seat warmer on {level}", SEAT_ME),
                 "could {seat} get some heat, setting {level}",
                 ("no more heating in {seat}", {"level": 0})],
    },
    "seat.set_ventilation": {
        "train": ["seat ventilation {level} for {fseat}", "cool {fseat} with the fan on level {level}",
                  ("ventilate my seat on {level}", SEAT_ME), ("turn off the ventilation in {fseat}", {"level": 0})],
        "eval": [("air through {fseat} at {level}", {}), ("my back is sweaty, seat fan {level}", SEAT_ME),
                 ("stop blowing air through {fseat}", {"level": 0})],
    },
    "steering_wheel.set_heating": {
        "train": [("turn on the heated steering wheel", {"state": "on"}), ("steering wheel heating off", {"state": "off"}),
                  ("heat the steering wheel", {"state": "on"}), ("stop heating the wheel", {"state": "off"})],
        "eval": [("the wheel is freezing to touch", {"state": "on"}),
                 ("the steering wheel is warm enough now, switch it off", {"state": "off"})],
    },
    "window.set": {
        "train": [("open {window}", {"action": "open"}), ("close {window}", {"action": "close"}),
                  ("put {window} down", {"action": "open"}), ("roll up {window}", {"action": "close"}),
                  ("wind down {window}", {"action": "open"}), ("shut {window}", {"action": "close"})],
        "eval": [("let some air in through {window}", {"action": "open"}),
                 ("raise {window} all the way", {"action": "close"}),
                 ("lower {window} please", {"action": "open"})],
    },
    "lights.set_headlights": {
        "train": [("headlights on auto", {"mode": "auto"}), ("turn on the dipped beam", {"mode": "dipped"}),
                  ("switch to parking lights", {"mode": "parking"}), ("set the lights to automatic", {"mode": "auto"}),
                  ("low beam on", {"mode": "dipped"})],
        "eval": [("it's getting foggy, I want the dipped headlights on", {"mode": "dipped"}),
                 ("let the car decide when the headlamps come on", {"mode": "auto"}),
                 ("just the position lamps please", {"mode": "parking"})],
    },
    "lights.set": {
        "train": [("turn on the hazard lights", {"light": "hazard_warning", "state": "on"}),
                  ("hazards off", {"light": "hazard_warning", "state": "off"}),
                  ("rear fog light on", {"light": "rear_fog", "state": "on"}),
                  ("switch off the rear fog lamp", {"light": "rear_fog", "state": "off"}),
                  ("turn on adaptive high beam", {"light": "adaptive_high_beam", "state": "on"}),
                  ("disable the automatic high beam", {"light": "adaptive_high_beam", "state": "off"})],
        "eval": [("put the warning blinkers on, we've stopped in traffic", {"light": "hazard_warning", "state": "on"}),
                 ("the fog has cleared, rear fog off", {"light": "rear_fog", "state": "off"}),
                 ("let the matrix headlamps manage main beam", {"light": "adaptive_high_beam", "state": "on"})],
    },
    "wipers.set": {
        "train": [("wipers on auto", {"mode": "auto"}), ("turn the wipers off", {"mode": "off"}),
                  ("wipers on full speed", {"mode": "fast"}), ("slow wipers", {"mode": "slow"}),
                  ("intermittent wiping please", {"mode": "intermittent"}), ("wipers normal speed", {"mode": "normal"})],
        "eval": [("it's pouring, wipe as fast as you can", {"mode": "fast"}),
                 ("let the rain sensor handle the wipers", {"mode": "auto"}),
                 ("stop the wipers, it's dry", {"mode": "off"}),
                 ("just a wipe every few seconds", {"mode": "intermittent"})],
    },
    "media.volume": {
        "train": [("volume up", {"action": "up"}), ("turn it down", {"action": "down"}), ("mute", {"action": "mute"}),
                  ("louder", {"action": "up"}), ("unmute the sound", {"action": "unmute"}),
                  ("quieter please", {"action": "down"})],
        "eval": [("I can barely hear this song", {"action": "up"}), ("silence the audio", {"action": "mute"}),
                 ("bring the sound back", {"action": "unmute"}), ("that's too loud", {"action": "down"})],
    },
    "media.playback": {
        "train": [("next song", {"action": "next"}), ("pause the music", {"action": "pause"}),
                  ("play music", {"action": "play"}), ("go back a track", {"action": "previous"}),
                  ("skip this", {"action": "next"}), ("resume playback", {"action": "play"})],
        "eval": [("I hate this track, move on", {"action": "next"}), ("hold the music a second", {"action": "pause"}),
                 ("play the last song again", {"action": "previous"})],
    },
    "media.play_radio": {
        "train": ["play the radio station {station}", "tune to {station}", "put {station} on",
                  "switch the radio to {station}", "listen to {station}"],
        "eval": ["I feel like hearing {station}", "can we get {station} on the radio"],
    },
    "phone.call": {
        "train": ["call {contact}", "phone {contact}", "ring {contact}", "dial {contact}", "make a call to {contact}"],
        "eval": ["get {contact} on the line", "I need to speak to {contact}"],
    },
    "navigation.go_to": {
        "train": [("navigate home", {"place": "home"}), ("take me home", {"place": "home"}),
                  ("navigate to work", {"place": "work"}), ("drive me to the office", {"place": "work"}),
                  ("navigate to the nearest fast charger", {"place": "nearest_fast_charger"}),
                  ("find the closest rapid charger", {"place": "nearest_fast_charger"})],
        "eval": [("route to my house", {"place": "home"}), ("get me to my workplace", {"place": "work"}),
                 ("battery's low, guide me to a DC charger nearby", {"place": "nearest_fast_charger"})],
    },
    "navigation.go_to_address": {
        "train": ["navigate to {address}", "take me to {address}", "set the destination to {address}",
                  "directions to {address}"],
        "eval": ["I need to get to {address}", "plot a route to {address}"],
    },
    "navigation.find_along_route": {
        "train": [("find a restaurant along the route", {"category": "restaurant"}),
                  ("any cafes on the way", {"category": "cafe"}),
                  ("show chargers along my route", {"category": "charger"}),
                  ("I need a toilet on the way", {"category": "toilets"}),
                  ("find a supermarket on my route", {"category": "supermarket"}),
                  ("look for a hotel along the route", {"category": "hotel"})],
        "eval": [("somewhere to eat on the way please", {"category": "restaurant"}),
                 ("I could use a coffee stop en route", {"category": "cafe"}),
                 ("where can we stay overnight on this route", {"category": "hotel"}),
                 ("need to pick up groceries somewhere on the way", {"category": "supermarket"})],
    },
    "navigation.cancel": {
        "train": ["cancel navigation", "stop the route guidance", "end navigation", "stop navigating"],
        "eval": ["I know the way from here, drop the directions", "forget the route"],
    },
    "charging.set_limit": {
        "train": ["set the charge limit to {percent} percent", "charge limit {percent}%", "only charge to {percent} percent",
                  "change the charging limit to {percent}"],
        "eval": ["stop charging once the battery reaches {percent} percent", "I want the battery filled to {percent}%"],
    },
    "charging.port": {
        "train": [("open the charge port", {"action": "open"}), ("close the charging flap", {"action": "close"}),
                  ("pop the charge port open", {"action": "open"}), ("shut the charge port", {"action": "close"})],
        "eval": [("I'm about to plug in, flap open", {"action": "open"}),
                 ("close up the charging socket cover", {"action": "close"})],
    },
    "drive.set_mode": {
        "train": [("switch to eco mode", {"mode": "eco"}), ("sport mode", {"mode": "sport"}),
                  ("put it in comfort mode", {"mode": "comfort"}), ("snow mode on", {"mode": "snow"}),
                  ("drive mode eco", {"mode": "eco"}), ("change to sport", {"mode": "sport"})],
        "eval": [("the road is icy, use the winter driving mode", {"mode": "snow"}),
                 ("I want to save energy on this trip", {"mode": "eco"}),
                 ("make the car feel sharper for these bends", {"mode": "sport"}),
                 ("back to the normal everyday mode", {"mode": "comfort"})],
    },
    "drive.set_regeneration": {
        "train": [("one pedal mode", {"level": "one_pedal"}), ("set regeneration to high", {"level": "high"}),
                  ("regen low", {"level": "low"}), ("standard regeneration please", {"level": "standard"}),
                  ("turn on one-pedal driving", {"level": "one_pedal"})],
        "eval": [("let the car coast more when I lift off", {"level": "low"}),
                 ("I want the strongest energy recovery, stopping without the brake", {"level": "one_pedal"}),
                 ("more braking from the motor when I lift off", {"level": "high"})],
    },
    "info.query": {
        "train": [("what's my range", {"topic": "range"}), ("how far can I drive", {"topic": "range"}),
                  ("when will charging be finished", {"topic": "charging_time"}),
                  ("what's my arrival charge", {"topic": "arrival_charge"}),
                  ("check the tyre pressures", {"topic": "tyre_pressures"})],
        "eval": [("how many kilometres are left in the battery", {"topic": "range"}),
                 ("how long until the car is charged", {"topic": "charging_time"}),
                 ("how much battery will I have when I get there", {"topic": "arrival_charge"}),
                 ("are my tyres properly inflated", {"topic": "tyre_pressures"})],
    },
    "trunk.open": {
        "train": [("open the boot", {"trunk": "boot"}), ("open the frunk", {"trunk": "frunk"}),
                  ("pop the tailgate", {"trunk": "boot"}), ("open the front trunk", {"trunk": "frunk"})],
        "eval": [("I need to get my bag out of the back, lift the hatch", {"trunk": "boot"}),
                 ("unlatch the storage under the bonnet", {"trunk": "frunk"})],
    },
    "airbag.set_passenger": {
        "train": [("turn off the passenger airbag", {"state": "off"}), ("switch the passenger airbag on", {"state": "on"}),
                  ("disable the front passenger airbag", {"state": "off"})],
        "eval": [("there's a rear-facing baby seat up front, deactivate that side's airbag", {"state": "off"}),
                 ("the child seat is out, re-enable the passenger airbag", {"state": "on"})],
    },
    "dog_mode.set": {
        "train": [("turn on dog mode", {"state": "on"}), ("dog mode off", {"state": "off"}),
                  ("keep the cabin cool for the dog", {"state": "on"})],
        "eval": [("I'm leaving my puppy in the car for a bit, keep it comfortable", {"state": "on"}),
                 ("I'm back with the dog, stop pet mode", {"state": "off"})],
    },
    "wiper_service_mode.set": {
        "train": [("wiper service mode on", {"state": "on"}), ("put the wipers in service position", {"state": "on"}),
                  ("turn off wiper service mode", {"state": "off"})],
        "eval": [("I want to change the wiper blades, raise the arms", {"state": "on"}),
                 ("new blades are fitted, park the wipers again", {"state": "off"})],
    },
    "phone.pair": {
        "train": ["pair my phone", "connect a new phone by bluetooth", "add a new phone"],
        "eval": ["set up bluetooth with my new mobile", "let me link another handset"],
    },
    "refuse.out_of_range": {
        "train": [("set the temperature to {badtemp} degrees", {"requested_intent": "climate.set_temperature"}),
                  ("make it {badtemp} degrees in here", {"requested_intent": "climate.set_temperature"}),
                  ("set the charge limit to {badpercent} percent", {"requested_intent": "charging.set_limit"}),
                  ("only charge to {badpercent}%", {"requested_intent": "charging.set_limit"}),
                  ("fan speed {badfan}", {"requested_intent": "climate.set_fan"})],
        "eval": [("I'd like {badtemp} degrees in the cabin", {"requested_intent": "climate.set_temperature"}),
                 ("stop charging when the battery hits {badpercent} percent",
                  {"requested_intent": "charging.set_limit"}),
                 ("blower at setting {badfan}", {"requested_intent": "climate.set_fan"})],
    },
    "refuse.safety_system": {
        "train": [("turn off {system}", {}), ("disable {system} permanently", {}), ("switch {system} off for good", {})],
        "eval": [("I never want {system} again, deactivate it", {}), ("kill {system}", {})],
    },
}
