from django.apps import AppConfig


class YishiConfig(AppConfig):
    name = "yishi"
    verbose_name = "Yishi"

    def ready(self) -> None:
        from core import links
        from yishi.manifests import MANIFESTS

        for manifest in MANIFESTS:
            for kind, offers in manifest.links.items():
                links.register(kind, offers)
            links.register_pages(manifest.pages)
