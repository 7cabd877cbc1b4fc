import logging

from mmengine.logging import MMLogger

from mmwsss.apis.log_file import also_log_to


def test_records_of_the_block_only_are_appended(tmp_path):
    logger = MMLogger.get_instance('test_also_log_to')
    path = tmp_path / 'logs' / 'step.log'
    logger.info('before')
    with also_log_to(logger, str(path)):
        logger.info('inside')
        logger.debug('built something')
        logger.warning('careful')
        logger.warning('careful')
    logger.info('after')
    with also_log_to(logger, str(path)):
        logger.info('again')
    text = path.read_text()
    assert 'before' not in text and 'after' not in text
    assert 'INFO - inside' in text and 'INFO - again' in text
    assert text.index('inside') < text.index('again')
    assert 'built something' not in text and text.count('careful') == 1
    assert '\x1b[' not in text  # no colour codes
    assert not any(
        isinstance(h, logging.FileHandler) and h.baseFilename == str(path)
        for h in logger.handlers)


def test_without_a_path_nothing_is_written(tmp_path):
    logger = MMLogger.get_instance('test_also_log_to_none')
    handlers = list(logger.handlers)
    with also_log_to(logger, None):
        logger.info('not copied')
        assert logger.handlers == handlers
    assert list(tmp_path.iterdir()) == []
