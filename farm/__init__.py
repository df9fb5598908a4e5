"""The portal farm: local web servers that behave like China's disclosure portals (see ../shared/PORTALS.md).

``farm.world.World`` decides deterministically, from a seed, which portals, organs and reports exist;
``farm.server.FarmServer`` serves that world, one port per portal, the way each CMS family does.
"""
