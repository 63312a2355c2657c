from django.template import Context, Template


def rendre(gabarit: str, **contexte: object) -> str:
    return Template(gabarit).render(Context(contexte))


def test_upload_limit_and_file_size_read_in_the_same_unit():
    limite = rendre("{{ n|taille }}", n=10 * 1024 * 1024)
    fichier = rendre("{{ n|taille }}", n=1536 * 1024)

    assert (limite, fichier) == ("10 Mo", "1,5 Mo")


def test_small_files_are_counted_in_ko_then_bytes():
    assert rendre("{{ a|taille }} / {{ b|taille }}", a=2048, b=700) == (
        "2 ko / 700 octets"
    )
