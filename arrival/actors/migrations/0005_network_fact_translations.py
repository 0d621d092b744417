"""Networks' facts and their relations' sources gain their texts in the other UN languages (Arrival's translation),
and a secretariat that is a city its GeoNames id; installations that loaded the networks before get them from the
data files here, without waiting for the next `arrival setup`."""

from django.db import migrations, models


def facts_from_the_files(apps, schema_editor):
    from arrival.actors import loaders

    Network = apps.get_model("actors", "Network")
    NetworkRelation = apps.get_model("actors", "NetworkRelation")
    networks = loaders.read_networks()
    relations = loaders.read_network_relations()
    try:
        facts = loaders.network_fact_translations(networks)
        places = loaders.network_secretariat_places(networks)
        sources = loaders.relation_source_translations(relations)
    except loaders.ActorDataError:  # the files contradict each other: `arrival setup` says so and changes nothing
        return
    for network in Network.objects.filter(actor__slug__in={row["slug"] for row in networks}).select_related("actor"):
        network.translations = facts.get(network.actor.slug, {})
        network.secretariat_geonames_id = places.get(network.actor.slug)
        network.save(update_fields=["translations", "secretariat_geonames_id"])
    for relation in NetworkRelation.objects.select_related("subject", "object"):
        key = (relation.subject.slug, relation.kind, relation.object.slug)
        if key in sources:
            relation.translations = sources[key]
            relation.save(update_fields=["translations"])


class Migration(migrations.Migration):

    dependencies = [
        ("actors", "0004_actor_name_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="network",
            name="secretariat_geonames_id",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="network",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.AddField(
            model_name="networkrelation",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="translations"),
        ),
        migrations.RunPython(facts_from_the_files, migrations.RunPython.noop),
    ]
