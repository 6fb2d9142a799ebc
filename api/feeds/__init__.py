"""``/v1/hsds`` and ``/v1/fhir``: the facilities' beds in the standards other systems read
(issue 16): HSDS 3 ``service_capacity`` and FHIR R4 ``Location``, ``Schedule`` and ``Slot``.
"""
