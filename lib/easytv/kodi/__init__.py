"""Kodi adapters: the only package that imports xbmc, xbmcgui, xbmcaddon, xbmcvfs, xbmcplugin."""
